import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeClinic, type Clinic } from '../support/factories.js';

describeBackends('doctors timeoff remove', (db) => {
  let clinic: Clinic;
  const cli = (args: string[], actor: Actor) => runCli(args, { database: db().database, actor });
  const add = async (doctor: string, actor: Actor, day: string) =>
    (await cli(['doctors', 'timeoff', 'add', doctor, '--from', day, '--to', day, '--reason', 'Course', '--json'], actor)).json<{ id: string }>().id;

  beforeAll(async () => {
    clinic = await makeClinic(db().knex, 'Europe/Lisbon');
  });

  it('removes time off by the id the list shows (or 8 characters of it), in JSON too, and audits it', async () => {
    const first = await add(clinic.doctor.username, clinic.staff, '2031-03-03');
    const second = await add(clinic.doctor.username, clinic.staff, '2031-03-04');
    const removed = await cli(['doctors', 'timeoff', 'remove', clinic.doctor.username, first, '--json'], clinic.staff);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stderr).toBe('');
    expect(removed.json()).toMatchObject({ id: first, doctor: clinic.doctor.username, startsAt: '2031-03-03T00:00:00.000Z', reason: 'Course' });

    // the doctor removes their own, by a prefix; a person sees the record and a confirmation
    const byPrefix = await cli(['doctors', 'timeoff', 'remove', clinic.doctor.username, second.slice(0, 8)], clinic.doctor);
    expect(byPrefix.code, byPrefix.stderr).toBe(0);
    expect(byPrefix.stderr).toContain(`Removed time off of ${clinic.doctor.username}.`);
    expect(byPrefix.stdout).toContain('2031-03-04 00:00');
    const left = await cli(['doctors', 'timeoff', 'list', clinic.doctor.username, '--json'], clinic.staff);
    expect(left.json<Array<{ id: string }>>().map((row) => row.id)).not.toEqual(expect.arrayContaining([first]));
    expect(left.json<Array<{ id: string }>>().map((row) => row.id)).not.toEqual(expect.arrayContaining([second]));

    const audit = await db().knex('audit_log').where({ action: 'doctors.timeoff.remove' }).orderBy('seq');
    expect(audit.map((row: { entity_id: string; outcome: string }) => [row.entity_id, row.outcome])).toEqual([
      [first, 'success'],
      [second, 'success'],
    ]);
  });

  it('is exit 6 for an unknown id, or one of another doctor; exit 3 for a malformed one; exit 5 for other roles', async () => {
    const others = await add(clinic.otherDoctor.username, clinic.admin, '2031-03-05');
    const unknown = await cli(['doctors', 'timeoff', 'remove', clinic.doctor.username, '00000000-0000-4000-8000-000000000000', '--json'], clinic.admin);
    expect(unknown.code).toBe(6);
    expect(JSON.parse(unknown.stderr)).toMatchObject({ error: { code: 'NOT_FOUND' } });
    expect(unknown.stderr).toContain('doctors timeoff list');
    // named under the wrong doctor: not found, and the other doctor's time off stays
    const wrongDoctor = await cli(['doctors', 'timeoff', 'remove', clinic.doctor.username, others], clinic.admin);
    expect(wrongDoctor.code).toBe(6);
    const malformed = await cli(['doctors', 'timeoff', 'remove', clinic.doctor.username, 'abc'], clinic.admin);
    expect(malformed.code).toBe(3);
    const patient = await cli(['doctors', 'timeoff', 'remove', clinic.otherDoctor.username, others], clinic.patient);
    expect(patient.code).toBe(5);
    const otherDoctor = await cli(['doctors', 'timeoff', 'remove', clinic.otherDoctor.username, others], clinic.doctor);
    expect(otherDoctor.code).toBe(5);
    expect(await db().knex('doctor_timeoff').where({ id: others })).toHaveLength(1);
    const unknownDoctor = await cli(['doctors', 'timeoff', 'remove', 'nobody-at-all', others], clinic.admin);
    expect(unknownDoctor.code).toBe(6);
  });
});
