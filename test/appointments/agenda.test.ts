import { beforeAll, expect, it } from 'vitest';
import type { Agenda, AgendaColumn } from '../../src/domain/appointments/agenda.js';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeAppointment, makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import { hasPty, runOnPty } from '../support/pty.js';
import { normaliseOutput } from '../support/snapshot.js';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { appointmentsCli, MONDAY } from './helpers.js';

const MON = 1;

describeBackends('appointments agenda (the day sheet)', (db) => {
  const cli = appointmentsCli(db);
  let staff: MadeUser;
  let admin: MadeUser;
  let ana: MadeUser;
  let bruno: MadeUser;
  let patient: MadeUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const knex = db().knex;
    await upsertSetting(knex, 'timezone', 'Europe/Lisbon', null); // UTC in winter
    staff = await makeStaff(knex);
    admin = await makeAdmin(knex);
    ana = await makeDoctor(knex, {
      username: 'dr.ana',
      fullName: 'Ana Silva',
      hours: [
        { weekday: MON, start: '09:00', end: '11:00' },
        { weekday: MON, start: '12:00', end: '13:00' },
      ],
    });
    bruno = await makeDoctor(knex, { username: 'dr.bruno', fullName: 'Bruno Costa', slotMinutes: 20, hours: [{ weekday: MON, start: '10:00', end: '11:00' }] });
    await makeDoctor(knex, { username: 'dr.off', fullName: 'Off Today', hours: [] });
    patient = await makePatient(knex, { username: 'pt.joao', fullName: 'João Pereira', doctors: [ana, bruno] });
    const other = await makePatient(knex, { username: 'pt.rita', fullName: 'Rita Alves', doctors: [ana] });
    ids.long = (await makeAppointment(knex, { patient, doctor: ana, startsAt: `${MONDAY}T09:00:00Z`, minutes: 60, status: 'APPROVED' })).id;
    ids.cancelled = (await makeAppointment(knex, { patient: other, doctor: ana, startsAt: `${MONDAY}T10:30:00Z`, status: 'CANCELLED' })).id;
    ids.pending = (await makeAppointment(knex, { patient: other, doctor: ana, startsAt: `${MONDAY}T12:00:00Z`, status: 'PENDING' })).id;
    ids.offGrid = (await makeAppointment(knex, { patient, doctor: ana, startsAt: `${MONDAY}T12:40:00Z`, minutes: 15, status: 'NO_SHOW' })).id;
    ids.bruno = (await makeAppointment(knex, { patient, doctor: bruno, startsAt: `${MONDAY}T10:20:00Z`, minutes: 20, status: 'CHECKED_IN' })).id;
    await knex('doctor_timeoff').insert({ doctor_id: bruno.id, starts_at: `${MONDAY}T10:40:00Z`, ends_at: `${MONDAY}T11:00:00Z`, reason: 'training' });
  });

  const column = (sheet: Agenda, username: string): AgendaColumn => sheet.days[0]!.doctors.find((doctor) => doctor.doctor === username)!;

  it('--json: each doctor’s grid rows, breaks, time off and appointments (cancelled ones leave the slot free)', async () => {
    const result = await cli(staff, ['agenda', '--date', MONDAY, '--doctor', 'dr.ana,dr.bruno', '--json']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const sheet = result.json<Agenda>();
    expect(sheet.timeZone).toBe('Europe/Lisbon');
    expect(sheet.days.map((day) => [day.date, day.weekday])).toEqual([[MONDAY, 'Monday']]);
    const a = column(sheet, 'dr.ana');
    expect(a).toMatchObject({ name: 'Ana Silva', slotMinutes: 30, hours: ['09:00-11:00', '12:00-13:00'], timeOff: [] });
    expect(a.rows.map((row) => [row.time, row.kind, row.appointment?.status ?? null])).toEqual([
      ['09:00', 'booked', 'APPROVED'],
      ['09:30', 'occupied', 'APPROVED'],
      ['10:00', 'free', null],
      ['10:30', 'free', null],
      ['11:00', 'break', null],
      ['12:00', 'booked', 'PENDING'],
      ['12:30', 'occupied', 'NO_SHOW'],
      ['12:40', 'booked', 'NO_SHOW'],
    ]);
    expect(a.rows[0]!.appointment).toMatchObject({ id: ids.long, patient: 'pt.joao', patientName: 'João Pereira' });
    expect(a.rows.find((row) => row.kind === 'break')).toMatchObject({ endTime: '12:00' });
    const b = column(sheet, 'dr.bruno');
    expect(b.rows.map((row) => [row.time, row.kind])).toEqual([
      ['10:00', 'free'],
      ['10:20', 'booked'],
      ['10:40', 'time-off'],
    ]);
    expect(b.timeOff).toEqual([{ startsAt: `${MONDAY}T10:40:00.000Z`, endsAt: `${MONDAY}T11:00:00.000Z`, reason: 'training' }]);
  });

  it('staff see every active doctor by default; --days gives several days; bad input is exit 3', async () => {
    const result = await cli(admin, ['agenda', '--date', MONDAY, '--days', '2', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const sheet = result.json<Agenda>();
    expect(sheet.days.map((day) => day.date)).toEqual([MONDAY, '2027-01-05']);
    expect(sheet.days[0]!.doctors.map((doctor) => doctor.doctor)).toEqual(expect.arrayContaining(['dr.ana', 'dr.bruno', 'dr.off']));
    expect(column(sheet, 'dr.off').rows).toEqual([]);
    expect((await cli(staff, ['agenda', '--days', '8', '--json'])).code).toBe(3);
    expect((await cli(staff, ['agenda', '--date', '2027-02-30', '--json'])).code).toBe(3);
    expect((await cli(staff, ['agenda', '--doctor', 'nobody', '--json'])).code).toBe(6);
  });

  it('a doctor sees their own column only; another doctor’s is exit 5; a patient gets exit 5', async () => {
    const own = await cli(ana, ['agenda', '--date', MONDAY, '--json']);
    expect(own.code, own.stderr).toBe(0);
    expect(own.json<Agenda>().days[0]!.doctors.map((doctor) => doctor.doctor)).toEqual(['dr.ana']);
    expect((await cli(ana, ['agenda', '--date', MONDAY, '--doctor', 'dr.ana', '--json'])).code).toBe(0);
    const other = await cli(ana, ['agenda', '--date', MONDAY, '--doctor', 'dr.bruno', '--json']);
    expect(other.code).toBe(5);
    expect(other.stdout).toBe('');
    expect(other.stderr).not.toContain('João');
    const asPatient = await cli(patient, ['agenda', '--date', MONDAY]);
    expect(asPatient.code).toBe(5);
    expect(asPatient.stdout).toBe('');
    expect(await db().knex('audit_log').where({ action: 'appointments.agenda', outcome: 'denied', actor_id: patient.id })).toHaveLength(1);
  });

  it('the human grid, whole (colour off)', async () => {
    const result = await cli(staff, ['agenda', '--date', MONDAY, '--doctor', 'dr.ana', '--doctor', 'dr.bruno', '--no-color']);
    expect(result.code, result.stderr).toBe(0);
    await expect(normaliseOutput(result.stdout)).toMatchFileSnapshot('./__snapshots__/agenda-monday.txt');
  });

  it.skipIf(!hasPty)('on a real 80-column terminal the grid fits, doctors that do not fit go to another table, and statuses are coloured', async () => {
    const knex = db().knex;
    for (const name of ['dr.carla', 'dr.duarte', 'dr.eva']) await makeDoctor(knex, { username: name, hours: [{ weekday: MON, start: '09:00', end: '10:00' }] });
    const token = (await createApiToken(db().context(staff), { name: 'agenda' })).token;
    const where = db().target;
    const target = where.backend === 'embedded' ? ['--data-dir', where.dataDir] : ['--database-url', where.url];
    const screen = runOnPty(['appointments', 'agenda', '--date', MONDAY, ...target], { env: { CLINIC_TOKEN: token, PAGER: '' }, columns: 80, rows: 200 });
    expect(screen.code, screen.screen).toBe(0);
    const plain = screen.screen.replace(/\x1b\[[0-9;]*m/g, '');
    const tableLines = plain.split(/\r?\n/).filter((line) => /^[│┌└]/.test(line));
    expect(tableLines.length).toBeGreaterThan(5);
    for (const line of tableLines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(plain).toMatch(/Monday 2027-01-04 · Europe\/Lisbon \(1\/2\)/);
    for (const name of ['DR.ANA', 'DR.BRUNO', 'DR.CARLA', 'DR.DUARTE', 'DR.EVA', 'DR.OFF']) expect(plain).toContain(name);
    expect(screen.screen).toMatch(/\x1b\[32mAPPROVED/); // green
    expect(screen.screen).toMatch(/\x1b\[33mPENDING/); // yellow
    expect(screen.screen).toMatch(/\x1b\[31mNO_SHOW/); // red
  });
});
