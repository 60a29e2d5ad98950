import { beforeAll, expect, it } from 'vitest';
import { insertTimeoff } from '../../src/db/repositories/doctors.js';
import { updateUser } from '../../src/db/repositories/users.js';
import { ERROR_REASONS, type ErrorReason } from '../../src/domain/errors.js';
import { MONDAY, NOW, TUESDAY, appointmentsCli, booker } from '../appointments/helpers.js';
import { runCli, type CliResult } from '../support/cli.js';
import { describeBackends, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, appointmentSeeder, makeClinic, type Clinic } from '../support/factories.js';

interface JsonError {
  error: { code: string; reason?: string; message: string };
}

function jsonError(result: CliResult): JsonError['error'] {
  expect(result.stdout).toBe('');
  return (JSON.parse(result.stderr) as JsonError).error;
}

/**
 * Every documented reason (README "Error reasons") from a real command on a real database: the
 * category `code` and its exit code stay as they were, `reason` says which rule refused it.
 * LOCKED and PENDING_MIGRATIONS depend on the backend and are tested in
 * test/errors/database-reasons.test.ts; NOT_EMPTY with clinic import and db copy.
 */
describeBackends('error reasons', (db: () => TestDatabase) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  const seed = appointmentSeeder(() => db().knex);
  let c: Clinic;

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  const bookArgs = (patient: string, doctor: string, date: string, time: string) => [
    'book',
    '--json',
    '--patient',
    patient,
    '--doctor',
    doctor,
    '--date',
    date,
    '--time',
    time,
  ];

  const cases: Array<[ErrorReason, number, string, () => Promise<CliResult>]> = [
    [
      'SLOT_TAKEN',
      7,
      'CONFLICT',
      async () => {
        await book(c.staff, { patient: c.patient, doctor: c.doctor, date: MONDAY, time: '09:00' });
        const other = await makePatient(db().knex, { doctors: [] });
        return cli(c.staff, bookArgs(other.username, c.doctor.username, MONDAY, '09:00'));
      },
    ],
    [
      'PATIENT_BUSY',
      7,
      'CONFLICT',
      async () => {
        await book(c.staff, { patient: c.otherPatient, doctor: c.otherDoctor, date: MONDAY, time: '10:00' });
        return cli(c.staff, bookArgs(c.otherPatient.username, c.doctor.username, MONDAY, '10:00'));
      },
    ],
    ['OUTSIDE_HOURS', 7, 'CONFLICT', () => cli(c.staff, bookArgs(c.patient.username, c.doctor.username, '2027-01-09', '10:00'))],
    [
      'TIME_OFF',
      7,
      'CONFLICT',
      async () => {
        const doctor = await makeDoctor(db().knex);
        await insertTimeoff(db().knex, {
          doctor_id: doctor.id,
          starts_at: new Date('2027-01-05T00:00:00Z'),
          ends_at: new Date('2027-01-06T00:00:00Z'),
          reason: null,
          created_by: null,
        });
        return cli(c.staff, bookArgs(c.patient.username, doctor.username, TUESDAY, '11:00'));
      },
    ],
    [
      'ACCOUNT_DISABLED',
      7,
      'CONFLICT',
      async () => {
        const doctor = await makeDoctor(db().knex);
        await updateUser(db().knex, doctor.id, { status: 'disabled' });
        return cli(c.staff, bookArgs(c.patient.username, doctor.username, TUESDAY, '11:00'));
      },
    ],
    [
      'NO_FREE_SLOT',
      7,
      'CONFLICT',
      async () => {
        const doctor = await makeDoctor(db().knex, { hours: [] });
        return cli(c.staff, ['book', '--json', '--patient', c.patient.username, '--doctor', doctor.username, '--next-available']);
      },
    ],
    [
      'ILLEGAL_TRANSITION',
      7,
      'CONFLICT',
      async () => {
        const pending = await seed({ patient: c.patient, doctor: c.doctor, status: 'PENDING' });
        return cli(c.staff, ['complete', '--json', pending.id]);
      },
    ],
    [
      'TOO_EARLY',
      7,
      'CONFLICT',
      async () => {
        const approved = await seed({ patient: c.patient, doctor: c.doctor, status: 'APPROVED' });
        return cli(c.staff, ['noshow', '--json', approved.id]);
      },
    ],
    [
      'TOO_LATE',
      7,
      'CONFLICT',
      async () => {
        const approved = await seed({ patient: c.patient, doctor: c.doctor, status: 'APPROVED' });
        return cli(c.staff, ['checkin', '--json', approved.id], new Date('2027-03-01T12:00:00Z'));
      },
    ],
    [
      'ALREADY_EXISTS',
      7,
      'CONFLICT',
      () =>
        runCli(['users', 'create', '--json', '--username', c.staff.username, '--name', 'Again', '--role', 'staff'], {
          database: db().database,
          actor: c.admin,
          now: () => NOW,
        }),
    ],
    [
      'IDEMPOTENCY_MISMATCH',
      7,
      'CONFLICT',
      async () => {
        const first = await cli(c.staff, [...bookArgs(c.patient.username, c.doctor.username, TUESDAY, '14:00'), '--idempotency-key', 'reasons-1']);
        expect(first.code, first.stderr).toBe(0);
        return cli(c.staff, [...bookArgs(c.patient.username, c.doctor.username, TUESDAY, '14:30'), '--idempotency-key', 'reasons-1']);
      },
    ],
  ];

  it.each(cases)('%s: exit %i, code %s', async (reason, exitCode, code, provoke) => {
    const result = await provoke();
    expect(result.code, result.stderr).toBe(exitCode);
    expect(jsonError(result)).toMatchObject({ code, reason });
  });

  it('every reason is provoked above or in its own test, and no reason is listed twice', () => {
    // LOCKED, PENDING_MIGRATIONS: test/errors/database-reasons.test.ts; NOT_EMPTY: test/clinic/transfer.test.ts and db-copy.test.ts.
    const provoked = new Set([...cases.map(([reason]) => reason), 'LOCKED', 'PENDING_MIGRATIONS', 'NOT_EMPTY']);
    expect(new Set(ERROR_REASONS).size).toBe(ERROR_REASONS.length);
    expect(ERROR_REASONS.filter((reason) => !provoked.has(reason))).toEqual([]);
  });

  it('an error without a finer cause has no reason field', async () => {
    const result = await cli(c.staff, ['show', '--json', '00000000-0000-0000-0000-000000000000']);
    expect(result.code).toBe(6);
    expect(jsonError(result)).not.toHaveProperty('reason');
  });
});
