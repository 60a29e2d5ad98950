import type { Knex } from 'knex';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeBackends } from '../support/database.js';

/** The database itself refuses what must never happen, whatever the application checked. */
describeBackends('schema constraints', (db) => {
  let doctorA: string;
  let doctorB: string;
  let patientA: string;
  let patientB: string;

  async function insertUser(knex: Knex, username: string, role: string): Promise<string> {
    const [row] = await knex('users').insert({ username, full_name: username, role }).returning('id');
    return (row as { id: string }).id;
  }

  beforeAll(async () => {
    const knex = db().knex;
    doctorA = await insertUser(knex, 'dr.a', 'doctor');
    doctorB = await insertUser(knex, 'dr.b', 'doctor');
    patientA = await insertUser(knex, 'pat.a', 'patient');
    patientB = await insertUser(knex, 'pat.b', 'patient');
    await knex('doctors').insert([{ user_id: doctorA }, { user_id: doctorB }]);
    await knex('patients').insert([{ user_id: patientA }, { user_id: patientB }]);
  });

  const book = (doctorId: string, patientId: string, start: string, end: string, status = 'APPROVED') =>
    db().knex('appointments').insert({ doctor_id: doctorId, patient_id: patientId, starts_at: start, ends_at: end, status }).returning('id');

  const errorCode = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return (error as { code?: string }).code;
    }
    return 'no error';
  };

  describe('appointments', () => {
    it('refuses overlapping active appointments of one doctor (23P01)', async () => {
      await book(doctorA, patientA, '2030-01-07T09:00:00Z', '2030-01-07T09:30:00Z');
      expect(await errorCode(book(doctorA, patientB, '2030-01-07T09:15:00Z', '2030-01-07T09:45:00Z', 'PENDING'))).toBe('23P01');
    });

    it('refuses overlapping active appointments of one patient, even with another doctor', async () => {
      await book(doctorA, patientA, '2030-01-08T10:00:00Z', '2030-01-08T10:30:00Z');
      expect(await errorCode(book(doctorB, patientA, '2030-01-08T10:29:00Z', '2030-01-08T11:00:00Z', 'CHECKED_IN'))).toBe('23P01');
    });

    it('accepts back-to-back appointments', async () => {
      await book(doctorA, patientA, '2030-01-09T09:00:00Z', '2030-01-09T09:30:00Z');
      await expect(book(doctorA, patientB, '2030-01-09T09:30:00Z', '2030-01-09T10:00:00Z')).resolves.toHaveLength(1);
      await expect(book(doctorB, patientA, '2030-01-09T08:30:00Z', '2030-01-09T09:00:00Z')).resolves.toHaveLength(1);
    });

    it('lets cancelled, rejected, completed and no-show appointments not block the slot', async () => {
      for (const status of ['CANCELLED', 'REJECTED', 'COMPLETED', 'NO_SHOW']) {
        await book(doctorB, patientB, '2030-01-10T09:00:00Z', '2030-01-10T09:30:00Z', status);
      }
      await expect(book(doctorB, patientB, '2030-01-10T09:00:00Z', '2030-01-10T09:30:00Z', 'PENDING')).resolves.toHaveLength(1);
      expect(await errorCode(book(doctorB, patientA, '2030-01-10T09:00:00Z', '2030-01-10T09:30:00Z', 'PENDING'))).toBe('23P01');
    });

    it('refuses an end before the start and an unknown status (23514)', async () => {
      expect(await errorCode(book(doctorA, patientA, '2030-01-11T10:00:00Z', '2030-01-11T09:00:00Z'))).toBe('23514');
      expect(await errorCode(book(doctorA, patientA, '2030-01-11T10:00:00Z', '2030-01-11T10:30:00Z', 'LOST'))).toBe('23514');
    });

    it('refuses a duplicate external id (23505)', async () => {
      await db()
        .knex('appointments')
        .insert({ doctor_id: doctorA, patient_id: patientB, starts_at: '2030-02-01T09:00:00Z', ends_at: '2030-02-01T09:30:00Z', external_id: 'ext-1' });
      expect(
        await errorCode(
          db()
            .knex('appointments')
            .insert({ doctor_id: doctorB, patient_id: patientA, starts_at: '2030-02-02T09:00:00Z', ends_at: '2030-02-02T09:30:00Z', external_id: 'ext-1' }),
        ),
      ).toBe('23505');
    });
  });

  describe('users', () => {
    it('keeps usernames unique and stored in lower case', async () => {
      expect(await errorCode(insertUser(db().knex, 'dr.a', 'staff'))).toBe('23505');
      expect(await errorCode(insertUser(db().knex, 'DR.C', 'staff'))).toBe('23514');
    });

    it('refuses usernames outside the allowed characters and unknown roles', async () => {
      expect(await errorCode(insertUser(db().knex, 'bad name', 'staff'))).toBe('23514');
      expect(await errorCode(insertUser(db().knex, 'goodname', 'janitor'))).toBe('23514');
    });
  });

  describe('doctor hours', () => {
    it('refuses overlapping ranges on one weekday', async () => {
      await db().knex('doctor_hours').insert({ doctor_id: doctorA, weekday: 1, start_time: '09:00', end_time: '12:00' });
      await db().knex('doctor_hours').insert({ doctor_id: doctorA, weekday: 1, start_time: '12:00', end_time: '17:00' });
      expect(await errorCode(db().knex('doctor_hours').insert({ doctor_id: doctorA, weekday: 1, start_time: '11:00', end_time: '13:00' }))).toBe('23P01');
    });
  });

  describe('audit log', () => {
    it('is append-only: UPDATE, DELETE and TRUNCATE fail', async () => {
      const knex = db().knex;
      await knex('audit_log').insert({ action: 'test.append', outcome: 'success' });
      await expect(knex('audit_log').update({ action: 'tampered' })).rejects.toThrow(/append-only/);
      await expect(knex('audit_log').delete()).rejects.toThrow(/append-only/);
      await expect(knex.raw('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
      const rows = await knex('audit_log').select('action');
      expect(rows).toEqual([{ action: 'test.append' }]);
    });
  });
});
