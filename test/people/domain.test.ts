import { beforeAll, expect, it } from 'vitest';
import { addDoctor, createDoctor } from '../../src/domain/doctors/service.js';
import { parseNewDoctor } from '../../src/domain/doctors/validation.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../../src/domain/errors.js';
import { addPatient, createPatient, showPatient } from '../../src/domain/patients/service.js';
import { parseNewPatient } from '../../src/domain/patients/validation.js';
import type { Actor } from '../../src/domain/policy.js';
import { inTransaction } from '../../src/domain/transaction.js';
import { describeBackends } from '../support/database.js';
import { makeDoctor, makeStaff } from '../support/factories.js';

/** The library as bulk import uses it: parse each row, then write many rows in one transaction. */
describeBackends('doctors and patients as a library', (db) => {
  let staff: Actor;

  beforeAll(async () => {
    staff = await makeStaff(db().knex);
  });

  it('writes several doctors and patients in one transaction, all or nothing', async () => {
    const ctx = db().context(staff);
    const rows = [
      parseNewDoctor({ username: 'imp.one', fullName: 'Imported One', slotMinutes: '15' }),
      parseNewDoctor({ username: 'imp.two', fullName: 'Imported Two', licenseNumber: 'IMP-2' }),
    ];
    await expect(
      inTransaction(ctx, async (trx) => {
        for (const row of rows) await createDoctor(trx, staff, row);
        await createDoctor(trx, staff, parseNewDoctor({ username: 'imp.three', fullName: 'Three', licenseNumber: 'IMP-2' }));
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await db().knex('users').whereIn('username', ['imp.one', 'imp.two', 'imp.three'])).toEqual([]);
    expect(await db().knex('audit_log').where({ action: 'doctors.add' })).toEqual([]);

    await inTransaction(ctx, async (trx) => {
      for (const row of rows) await createDoctor(trx, staff, row);
      const patient = parseNewPatient({ username: 'imp.pat', fullName: 'Imported Patient', doctors: ['imp.one', 'imp.two'] }, { today: '2026-11-25' });
      await createPatient(trx, staff, patient);
    });
    const patient = await showPatient(ctx, 'imp.pat');
    expect(patient.doctors.map((d) => d.username)).toEqual(['imp.one', 'imp.two']);
    expect(
      await db()
        .knex('doctor_hours')
        .whereIn('doctor_id', db().knex('users').select('id').where('username', 'like', 'imp.%')),
    ).toHaveLength(10);
  });

  it('throws typed errors a caller can sort rows by', async () => {
    const ctx = db().context(staff);
    await expect(addDoctor(ctx, { username: 'x y', fullName: 'X' })).rejects.toBeInstanceOf(ValidationError);
    await expect(addPatient(ctx, { username: 'lost.pat', fullName: 'Lost', doctors: ['dr.none'] })).rejects.toBeInstanceOf(NotFoundError);
    await expect(addPatient(ctx, { username: 'imp.pat', fullName: 'Again' })).rejects.toBeInstanceOf(ConflictError);
    const doctor = await makeDoctor(db().knex);
    await expect(addPatient(db().context(doctor), { username: 'by.doctor', fullName: 'By Doctor' })).rejects.toBeInstanceOf(ForbiddenError);
  });
});
