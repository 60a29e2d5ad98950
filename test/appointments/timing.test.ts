import { beforeAll, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { appointmentsCli } from './helpers.js';
import { appointmentSeeder, makeClinic, type Clinic } from '../support/factories.js';

// Tokyo is UTC+9 all year: 2027-02-01 (a Monday) 00:00 there is 2027-01-31 15:00 UTC, so the UTC
// date and the clinic's date differ for the first nine hours of the clinic's day.
const ZONE = 'Asia/Tokyo';
const tokyo = (local: string) => new Date(`${local}+09:00`);
const minutes = (at: Date, n: number) => new Date(at.getTime() + n * 60_000);

describeBackends('appointment status changes at the right time', (db) => {
  const cli = appointmentsCli(db);
  let c: Clinic;
  let seed: ReturnType<typeof appointmentSeeder>;

  beforeAll(async () => {
    c = await makeClinic(db().knex, ZONE);
    seed = appointmentSeeder(() => db().knex, tokyo('2027-02-01T09:00:00').getTime());
  });

  const status = async (id: string) => (await db().knex('appointments').where({ id }).first('status')).status as string;

  it('checkin: only from the start of the appointment’s day in the clinic zone (exit 7 before, saying when)', async () => {
    const appointment = await seed({ patient: c.patient, doctor: c.doctor, status: 'APPROVED' });
    const early = await cli(c.staff, ['checkin', appointment.id, '--json'], tokyo('2027-01-31T23:59:00'));
    expect(early.code, early.stderr).toBe(7);
    expect(JSON.parse(early.stderr).error.message).toBe(
      `Appointment ${appointment.id.slice(0, 8)} cannot be checked in before its day: that is possible from 2027-02-01 00:00 (Asia/Tokyo).`,
    );
    expect(await status(appointment.id)).toBe('APPROVED');
    const onTheDay = await cli(c.staff, ['checkin', appointment.id, '--json'], tokyo('2027-02-01T00:00:00'));
    expect(onTheDay.code, onTheDay.stderr).toBe(0);
    expect(await status(appointment.id)).toBe('CHECKED_IN');
  });

  it('checkin: not after the appointment’s day is over', async () => {
    const appointment = await seed({ patient: c.patient, doctor: c.doctor, status: 'APPROVED' });
    const late = await cli(c.staff, ['checkin', appointment.id], tokyo('2027-02-02T00:00:00'));
    expect(late.code).toBe(7);
    expect(late.stderr).toContain('was on 2027-02-01: check-in is possible only on the day of the appointment');
    expect(late.stderr).toContain(`clinic appointments noshow ${appointment.id.slice(0, 8)}`);
    expect(await status(appointment.id)).toBe('APPROVED');
  });

  it('noshow: only once the appointment has started', async () => {
    const appointment = await seed({ patient: c.patient, doctor: c.doctor, status: 'APPROVED' });
    const early = await cli(c.staff, ['noshow', appointment.id], minutes(appointment.startsAt, -1));
    expect(early.code).toBe(7);
    expect(early.stderr).toContain('cannot be marked a no-show before it starts: that is possible from 2027-02-01 10:00 (Asia/Tokyo).');
    expect(await status(appointment.id)).toBe('APPROVED');
    expect((await cli(c.staff, ['noshow', appointment.id], appointment.startsAt)).code).toBe(0);
    expect(await status(appointment.id)).toBe('NO_SHOW');
  });

  it('complete: only after checkin, and not before the day', async () => {
    const approved = await seed({ patient: c.patient, doctor: c.doctor, status: 'APPROVED' });
    const notCheckedIn = await cli(c.staff, ['complete', approved.id], approved.startsAt);
    expect(notCheckedIn.code).toBe(7);
    expect(notCheckedIn.stderr).toContain('From APPROVED it can only become CHECKED_IN, CANCELLED, NO_SHOW.');
    const checkedIn = await seed({ patient: c.patient, doctor: c.doctor, status: 'CHECKED_IN' });
    expect((await cli(c.staff, ['complete', checkedIn.id], tokyo('2027-01-31T12:00:00'))).code).toBe(7);
    expect((await cli(c.staff, ['complete', checkedIn.id], checkedIn.startsAt)).code).toBe(0);
    expect(await status(checkedIn.id)).toBe('COMPLETED');
  });

  it('the importer applies the same rule: CHECKED_IN and COMPLETED from the day, NO_SHOW from the start', async () => {
    const now = tokyo('2027-02-08T09:45:00');
    const csv = [
      'patient,doctor,date,time,status,externalId',
      `${c.otherPatient.username},${c.otherDoctor.username},2027-02-08,10:00,CHECKED_IN,t-1`,
      `${c.otherPatient.username},${c.otherDoctor.username},2027-02-08,10:30,COMPLETED,t-2`,
      `${c.otherPatient.username},${c.otherDoctor.username},2027-02-08,09:00,NO_SHOW,t-3`,
      `${c.otherPatient.username},${c.otherDoctor.username},2027-02-08,11:00,NO_SHOW,t-4`,
      `${c.otherPatient.username},${c.otherDoctor.username},2027-02-09,09:00,CHECKED_IN,t-5`,
    ].join('\n');
    const result = await runCli(['appointments', 'import', '-', '--format', 'csv', '--dry-run', '--skip-invalid', '--json'], {
      database: db().database,
      actor: c.staff,
      stdin: csv,
      now: () => now,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.json()).toMatchObject({ imported: 3, rejected: 2 });
    expect(result.stderr).toContain('a NO_SHOW appointment is possible only from 2027-02-08 11:00 (Asia/Tokyo)');
    expect(result.stderr).toContain('a CHECKED_IN appointment is possible only from 2027-02-09 00:00 (Asia/Tokyo)');
  });

  it('an export of what the commands recorded today imports again', async () => {
    const now = tokyo('2027-02-15T09:45:00');
    const at = (time: string) => tokyo(`2027-02-15T${time}:00`);
    const party = { patient: c.otherPatient, doctor: c.otherDoctor };
    const noShow = await seed({ ...party, status: 'APPROVED', startsAt: at('09:00') });
    const completed = await seed({ ...party, status: 'APPROVED', startsAt: at('10:00') });
    const checkedIn = await seed({ ...party, status: 'APPROVED', startsAt: at('10:30') });
    for (const [verb, id] of [
      ['noshow', noShow.id],
      ['checkin', completed.id],
      ['complete', completed.id],
      ['checkin', checkedIn.id],
    ] as const) {
      const changed = await cli(c.staff, [verb, id], now);
      expect(changed.code, `${verb}: ${changed.stderr}`).toBe(0);
    }
    const exported = await runCli(
      ['appointments', 'export', '--format', 'csv', '--doctor', c.otherDoctor.username, '--from', '2027-02-15', '--to', '2027-02-15'],
      { database: db().database, actor: c.staff, now: () => now },
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout.trim().split('\n')).toHaveLength(4);
    await db().knex('appointments').whereIn('id', [noShow.id, completed.id, checkedIn.id]).delete();
    const imported = await runCli(['appointments', 'import', '-', '--format', 'csv', '--json'], {
      database: db().database,
      actor: c.staff,
      stdin: exported.stdout,
      now: () => now,
    });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.json()).toEqual({ imported: 3, skipped: 0, rejected: 0 });
    const statuses = await db().knex('appointments').whereIn('external_id', [noShow.id, completed.id, checkedIn.id]).orderBy('starts_at').pluck('status');
    expect(statuses).toEqual(['NO_SHOW', 'COMPLETED', 'CHECKED_IN']);
  });
});
