import { beforeAll, expect, it } from 'vitest';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeClinic, type Clinic } from '../support/factories.js';
import { appointmentsCli, type Appointment } from './helpers.js';

const MINUTE = 60_000;

describeBackends('appointments sweep-noshows', (db) => {
  const cli = appointmentsCli(db);
  let c: Clinic;
  let week = 0;
  // Each test sweeps at its own moment, a week after the last one: earlier tests' rows are then
  // long past and already swept, so each test asserts only on its own rows (by id).
  const clock = () => new Date(Date.parse('2027-04-05T10:00:00Z') + week++ * 7 * 24 * 60 * MINUTE);

  beforeAll(async () => {
    c = await makeClinic(db().knex);
  });

  async function status(id: string): Promise<string> {
    return (await db().knex('appointments').where({ id }).first()).status as string;
  }

  it('marks APPROVED appointments past start + grace as NO_SHOW, one audit row each, and nothing else', async () => {
    const now = clock();
    const at = (minutes: number) => new Date(now.getTime() + minutes * MINUTE);
    const missed = await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: at(-60), status: 'APPROVED' });
    const justMissed = await makeAppointment(db().knex, { patient: c.otherPatient, doctor: c.otherDoctor, startsAt: at(-15), status: 'APPROVED' });
    const inGrace = await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: at(-10), status: 'APPROVED' });
    const arrived = await makeAppointment(db().knex, { patient: c.otherPatient, doctor: c.otherDoctor, startsAt: at(-90), status: 'CHECKED_IN' });
    const pending = await makeAppointment(db().knex, { patient: c.patient, doctor: c.doctor, startsAt: at(-120), status: 'PENDING' });

    const result = await cli(c.staff, ['sweep-noshows', '--json'], now);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const swept = result.json<Appointment[]>();
    expect(swept.filter((a) => [missed.id, justMissed.id].includes(a.id)).map((a) => [a.id, a.status])).toEqual([
      [missed.id, 'NO_SHOW'],
      [justMissed.id, 'NO_SHOW'],
    ]);
    expect(swept.map((a) => a.id)).not.toContain(inGrace.id);
    expect(await status(inGrace.id)).toBe('APPROVED');
    expect(await status(arrived.id)).toBe('CHECKED_IN');
    expect(await status(pending.id)).toBe('PENDING');

    const audit = await db().knex('audit_log').where({ action: 'appointments.noshow' }).whereIn('entity_id', [missed.id, justMissed.id]);
    expect(audit).toHaveLength(2);
    expect(audit.map((row) => row.details)).toEqual(expect.arrayContaining([expect.objectContaining({ from: 'APPROVED', to: 'NO_SHOW', sweep: true })]));

    // Idempotent: a second sweep finds nothing new and adds no audit row.
    const again = await cli(c.staff, ['sweep-noshows', '--json'], now);
    expect(again.json<Appointment[]>()).toEqual([]);
    expect(await db().knex('audit_log').where({ action: 'appointments.noshow' }).whereIn('entity_id', [missed.id, justMissed.id])).toHaveLength(2);
  });

  it('--grace moves the cut-off; --dry-run lists without writing', async () => {
    const now = clock();
    const late = await makeAppointment(db().knex, {
      patient: c.patient,
      doctor: c.doctor,
      startsAt: new Date(now.getTime() - 40 * MINUTE),
      status: 'APPROVED',
    });
    await cli(c.staff, ['sweep-noshows', '--json'], new Date(now.getTime() - 24 * 60 * MINUTE)); // what earlier tests left
    expect((await cli(c.staff, ['sweep-noshows', '--grace', '1h', '--json'], now)).json<Appointment[]>()).toEqual([]);
    const dry = await cli(c.admin, ['sweep-noshows', '--grace', '30m', '--dry-run', '--json'], now);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.json<Appointment[]>().map((a) => [a.id, a.status])).toEqual([[late.id, 'APPROVED']]);
    expect(await status(late.id)).toBe('APPROVED');
    expect(await db().knex('audit_log').where({ action: 'appointments.noshow', entity_id: late.id })).toHaveLength(0);
    const human = await cli(c.admin, ['sweep-noshows', '--grace', '30m', '--dry-run'], now);
    expect(human.stdout).toContain(late.id.slice(0, 8));
    expect(human.stderr).toContain('Would mark 1 appointment as no-shows (dry run: nothing changed).');
    const real = await cli(c.admin, ['sweep-noshows', '--grace', '30m'], now);
    expect(real.stderr).toContain('Marked 1 appointment as no-shows.');
    expect(await status(late.id)).toBe('NO_SHOW');
  });

  it('is for staff and admins (doctor and patient exit 5); a bad grace is exit 2, an overlong one exit 3', async () => {
    const now = clock();
    const missed = await makeAppointment(db().knex, {
      patient: c.patient,
      doctor: c.doctor,
      startsAt: new Date(now.getTime() - 60 * MINUTE),
      status: 'APPROVED',
    });
    for (const actor of [c.doctor, c.patient]) {
      const result = await cli(actor, ['sweep-noshows', '--json'], now);
      expect(result.code, result.stderr).toBe(5);
    }
    expect(await status(missed.id)).toBe('APPROVED');
    expect((await cli(c.staff, ['sweep-noshows', '--grace', 'soon'], now)).code).toBe(2);
    expect((await cli(c.staff, ['sweep-noshows', '--grace', '8d', '--json'], now)).code).toBe(3);
    expect(await status(missed.id)).toBe('APPROVED');
  });

  it('two sweeps at once mark each appointment once', async () => {
    const now = clock();
    await cli(c.staff, ['sweep-noshows', '--json'], new Date(now.getTime() - 24 * 60 * MINUTE));
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      ids.push(
        (
          await makeAppointment(db().knex, {
            patient: c.patient,
            doctor: c.doctor,
            startsAt: new Date(now.getTime() - (30 + i * 30) * MINUTE),
            status: 'APPROVED',
          })
        ).id,
      );
    }
    const [one, two] = await Promise.all([cli(c.staff, ['sweep-noshows', '--json'], now), cli(c.admin, ['sweep-noshows', '--json'], now)]);
    expect([one.code, two.code]).toEqual([0, 0]);
    const all = [...one.json<Appointment[]>(), ...two.json<Appointment[]>()].map((a) => a.id).filter((id) => ids.includes(id));
    expect(all.sort()).toEqual([...ids].sort());
    expect(await db().knex('audit_log').where({ action: 'appointments.noshow' }).whereIn('entity_id', ids)).toHaveLength(6);
  });
});
