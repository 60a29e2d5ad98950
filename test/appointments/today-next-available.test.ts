import { beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../support/database.js';
import { appointmentsCli, type Appointment } from './helpers.js';
import { makeClinic, type Clinic } from '../support/factories.js';

// Monday 2027-01-04 11:00 in Auckland (UTC+13) is still Sunday 2027-01-03 in UTC.
const NOW = new Date('2027-01-03T22:00:00Z');
const MONDAY = '2027-01-04';
const TUESDAY = '2027-01-05';

describeBackends('appointments list --today and reschedule --next-available', (db) => {
  const cli = appointmentsCli(db);
  const at = (actor: Clinic['admin'], args: string[]) => cli(actor, args, NOW);
  let c: Clinic;
  const book = async (date: string, time: string, patient = c.patient) => {
    const result = await at(c.staff, ['book', '--json', '--patient', patient.username, '--doctor', c.doctor.username, '--date', date, '--time', time]);
    expect(result.code, result.stderr).toBe(0);
    return result.json<Appointment>();
  };

  beforeAll(async () => {
    c = await makeClinic(db().knex, 'Pacific/Auckland');
  });

  it("--today lists only the clinic zone's today; with --date, --from or --to it is exit 2", async () => {
    const today = await book(MONDAY, '14:00');
    const tomorrow = await book(TUESDAY, '14:00');
    const list = await at(c.staff, ['list', '--today', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const ids = list.json<Appointment[]>().map((a) => a.id);
    expect(ids).toContain(today.id);
    expect(ids).not.toContain(tomorrow.id);
    expect(list.json<Appointment[]>().every((a) => a.date === MONDAY)).toBe(true);
    for (const other of [
      ['--date', MONDAY],
      ['--from', MONDAY],
      ['--to', TUESDAY],
    ]) {
      const result = await at(c.staff, ['list', '--today', ...other]);
      expect(result.code, other.join(' ')).toBe(2);
      expect(result.stderr).toContain('--today');
      expect(result.stderr).not.toMatch(/at .*\.js:\d+/);
    }
    // the doctor's own filter still applies
    const otherDoctor = await at(c.otherDoctor, ['list', '--today', '--json']);
    expect(otherDoctor.json<Appointment[]>().map((a) => a.id)).not.toContain(today.id);
  });

  it('reschedule --next-available moves to the first free slot of the same length, as book --next-available finds it', async () => {
    const original = await book(TUESDAY, '15:00', c.otherPatient);
    const moved = await at(c.staff, ['reschedule', original.id, '--next-available', '--after', '2027-01-06', '--json']);
    expect(moved.code, moved.stderr).toBe(0);
    const next = moved.json<Appointment & { startTime: string }>();
    expect(next).toMatchObject({ date: '2027-01-06', startTime: '09:00', rescheduledFromId: original.id, patient: c.otherPatient.username });
    expect(Date.parse(next.endsAt) - Date.parse(next.startsAt)).toBe(Date.parse(original.endsAt) - Date.parse(original.startsAt));
    const old = await at(c.staff, ['show', original.id, '--json']);
    expect(old.json()).toMatchObject({ status: 'CANCELLED', cancelReason: 'rescheduled' });

    // without --after: from now on, on the clinic's today (11:00 Monday in Auckland is past 09:00)
    const soonest = await at(c.staff, ['reschedule', next.id, '--next-available', '--json']);
    expect(soonest.code, soonest.stderr).toBe(0);
    expect(soonest.json()).toMatchObject({ date: MONDAY, startTime: '11:00' });
    expect(await db().knex('audit_log').where({ action: 'appointments.reschedule', entity_id: soonest.json<Appointment>().id })).toHaveLength(1);
  });

  it('refuses --next-available with --date/--time or a bad --after (exit 3), and a missing --date/--time without a terminal (exit 2); nothing changed', async () => {
    const appointment = await book(TUESDAY, '10:00');
    for (const args of [
      ['--next-available', '--date', TUESDAY, '--time', '11:00'],
      ['--next-available', '--after', '2027-02-30'],
    ]) {
      const result = await at(c.staff, ['reschedule', appointment.id, ...args]);
      expect(result.code, args.join(' ')).toBe(3);
    }
    for (const args of [['--after', TUESDAY], []]) {
      const result = await at(c.staff, ['reschedule', appointment.id, ...args]);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toContain('--date and --time (or --next-available)');
    }
    expect((await at(c.staff, ['show', appointment.id, '--json'])).json()).toMatchObject({ status: 'PENDING' });
  });
});
