import { beforeAll, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAdmin, makeDoctor, makePatient, makeStaff, type MadeUser } from '../support/factories.js';
import type { Actor } from '../../src/domain/policy.js';
import { NOW, type Appointment } from '../appointments/helpers.js';

interface Entry {
  id: string;
  patient: string;
  doctor: string;
  status: string;
  appointmentId: string | null;
  days: string[];
  times: string | null;
}

const ENTRY_FIELDS = [
  'id',
  'patientId',
  'doctorId',
  'patient',
  'doctor',
  'fromDate',
  'toDate',
  'times',
  'days',
  'status',
  'appointmentId',
  'createdAt',
  'updatedAt',
].sort();

describeBackends('waitlist', (db) => {
  let staff: MadeUser;
  const run = (actor: Actor, args: string[]) => runCli(args, { database: db().database, actor, now: () => NOW });
  const book = async (doctor: MadeUser, patient: MadeUser, date: string, time: string) => {
    const result = await run(staff, [
      'appointments',
      'book',
      '--json',
      '--approve',
      '--patient',
      patient.username,
      '--doctor',
      doctor.username,
      '--date',
      date,
      '--time',
      time,
    ]);
    expect(result.code, result.stderr).toBe(0);
    return result.json<Appointment>();
  };
  const wait = async (actor: Actor, doctor: MadeUser, patient: MadeUser, extra: string[] = []) => {
    const result = await run(actor, ['waitlist', 'add', '--json', '--patient', patient.username, '--doctor', doctor.username, ...extra]);
    expect(result.code, result.stderr).toBe(0);
    return result.json<Entry>();
  };
  const entry = async (id: string) => {
    const result = await run(staff, ['waitlist', 'list', '--json', '--status', 'FULFILLED']);
    const waiting = await run(staff, ['waitlist', 'list', '--json']);
    return [...result.json<Entry[]>(), ...waiting.json<Entry[]>()].find((e) => e.id === id)!;
  };

  beforeAll(async () => {
    await upsertSetting(db().knex, 'timezone', 'Europe/Lisbon', null);
    staff = await makeStaff(db().knex);
  });

  it('add, list and remove, as entry objects with exactly their fields', async () => {
    const doctor = await makeDoctor(db().knex);
    const patient = await makePatient(db().knex);
    const added = await wait(staff, doctor, patient, ['--from', '2027-01-04', '--to', '2027-01-29', '--times', '09:00-12:00', '--days', 'mon-wed']);
    expect(Object.keys(added).sort()).toEqual(ENTRY_FIELDS);
    expect(added).toMatchObject({ status: 'WAITING', days: ['mon', 'tue', 'wed'], times: '09:00-12:00', fromDate: '2027-01-04', toDate: '2027-01-29' });
    const listed = await run(staff, ['waitlist', 'list', '--json', '--doctor', doctor.username]);
    expect(listed.json<Entry[]>().map((e) => e.id)).toEqual([added.id]);
    const removed = await run(staff, ['waitlist', 'remove', '--json', added.id.slice(0, 8)]);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.json<Entry>().status).toBe('REMOVED');
    expect((await run(staff, ['waitlist', 'remove', added.id])).code).toBe(7);
    expect((await run(staff, ['waitlist', 'list', '--json', '--doctor', doctor.username])).json<Entry[]>()).toEqual([]);
    for (const bad of [
      ['--times', '12:00-09:00'],
      ['--days', 'funday'],
      ['--from', '2027-02-30'],
      ['--from', '2027-02-02', '--to', '2027-02-01'],
    ]) {
      const result = await run(staff, ['waitlist', 'add', '--patient', patient.username, '--doctor', doctor.username, ...bad]);
      expect(result.code, bad.join(' ')).toBe(3);
    }
    const audit = await db().knex('audit_log').whereIn('action', ['waitlist.add', 'waitlist.remove']).where('entity_id', added.id);
    expect(audit.map((row) => row.action).sort()).toEqual(['waitlist.add', 'waitlist.remove']);
  });

  it('a patient puts themself on the list, not someone else (exit 6, as for an unknown patient)', async () => {
    const doctor = await makeDoctor(db().knex);
    const patient = await makePatient(db().knex);
    const other = await makePatient(db().knex);
    await wait(patient, doctor, patient);
    const refused = await run(patient, ['waitlist', 'add', '--patient', other.username, '--doctor', doctor.username]);
    expect(refused.code).toBe(6);
    expect((await run(patient, ['waitlist', 'list', '--json'])).json<Entry[]>().every((e) => e.patient === patient.username)).toBe(true);
  });

  it('a cancelled slot goes to the earliest matching entry: a PENDING appointment, a message, the entry FULFILLED', async () => {
    const doctor = await makeDoctor(db().knex);
    const holder = await makePatient(db().knex);
    const [wrongDay, wrongTime, outOfRange, busy, first, second] = await Promise.all([1, 2, 3, 4, 5, 6].map(() => makePatient(db().knex)));
    const appointment = await book(doctor, holder, '2027-01-05', '10:00'); // a Tuesday
    await wait(staff, doctor, wrongDay!, ['--days', 'mon,wed-fri']);
    await wait(staff, doctor, wrongTime!, ['--times', '10:15-12:00']);
    await wait(staff, doctor, outOfRange!, ['--from', '2027-01-06']);
    await book(await makeDoctor(db().knex), busy!, '2027-01-05', '10:00');
    const busyEntry = await wait(staff, doctor, busy!);
    const firstEntry = await wait(staff, doctor, first!, ['--times', '10:00-10:30', '--days', 'tue', '--to', '2027-01-05']);
    const secondEntry = await wait(staff, doctor, second!);

    const cancelled = await run(staff, ['appointments', 'cancel', '--json', appointment.id, '--reason', 'sick']);
    expect(cancelled.code, cancelled.stderr).toBe(0);

    const fulfilled = await entry(firstEntry.id);
    expect(fulfilled.status).toBe('FULFILLED');
    const offered = (await run(staff, ['appointments', 'show', '--json', fulfilled.appointmentId!])).json<Appointment>();
    expect(offered).toMatchObject({ patient: first!.username, doctor: doctor.username, date: '2027-01-05', timeSlot: '10:00-10:30', status: 'PENDING' });
    expect((await entry(busyEntry.id)).status).toBe('WAITING');
    expect((await entry(secondEntry.id)).status).toBe('WAITING');

    const inbox = await run(first!, ['messages', 'inbox', '--json']);
    expect(inbox.json<Array<{ sender: string; content: string }>>()).toMatchObject([
      { sender: doctor.username, content: expect.stringContaining('2027-01-05 at 10:00-10:30') },
    ]);
    const [audit] = await db().knex('audit_log').where({ action: 'waitlist.fulfil', entity_id: firstEntry.id });
    expect(audit.details).toMatchObject({ appointmentId: offered.id, freedAppointmentId: appointment.id });
    expect(JSON.stringify(audit.details)).not.toContain('waitlist, pending');

    // the offered appointment is cancelled in turn: the next in line gets it
    expect((await run(first!, ['appointments', 'cancel', offered.id, '--reason', 'cannot come'])).code).toBe(0);
    expect((await entry(secondEntry.id)).status).toBe('FULFILLED');
  });

  it("a slot a patient frees goes to the waiting patient as the clinic's own booking: no actor in its audit rows, nothing of them in the cancel", async () => {
    const doctor = await makeDoctor(db().knex);
    const leila = await makePatient(db().knex);
    const zoe = await makePatient(db().knex, { fullName: 'Zoe Waiting' });
    const queued = await wait(staff, doctor, zoe, ['--from', '2027-01-11', '--to', '2027-01-13']);
    const booked = await run(leila, [
      'appointments',
      'book',
      '--json',
      '--patient',
      leila.username,
      '--doctor',
      doctor.username,
      '--date',
      '2027-01-12',
      '--time',
      '10:00',
    ]);
    expect(booked.code, booked.stderr).toBe(0);
    const mine = booked.json<Appointment>();

    const cancelled = await run(leila, ['appointments', 'cancel', mine.id, '--reason', 'cannot come']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const offeredId = (await entry(queued.id)).appointmentId!;
    expect(offeredId).toBeTruthy();
    for (const secret of [zoe.username, zoe.id, zoe.fullName, queued.id, offeredId, offeredId.slice(0, 8)]) {
      expect(cancelled.stdout + cancelled.stderr).not.toContain(secret);
    }

    const rows = await db().knex('audit_log').where({ entity_id: offeredId }).orWhere({ entity_id: queued.id }).orWhere({ entity_id: mine.id }).orderBy('seq');
    expect(rows.map((row) => [row.action, row.actor_id, row.actor])).toEqual([
      ['waitlist.add', staff.id, staff.username],
      ['appointments.book', leila.id, leila.username],
      ['appointments.cancel', leila.id, leila.username],
      ['appointments.book', null, null],
      ['waitlist.fulfil', null, null],
    ]);
    expect(rows[3]).toMatchObject({ patient_id: zoe.id, details: { via: 'waitlist', waitlistEntryId: queued.id, freedAppointmentId: mine.id } });
    expect(rows[4]).toMatchObject({ patient_id: zoe.id, details: { appointmentId: offeredId, freedAppointmentId: mine.id } });
    expect(await db().knex('appointments').where({ id: offeredId }).first()).toMatchObject({ created_by: null, status: 'PENDING' });

    const admin = await makeAdmin(db().knex);
    const byLeila = await run(admin, ['audit', 'list', '--json', '--all', '--actor', leila.username]);
    expect(byLeila.json<Array<{ entityId: string | null }>>().map((row) => row.entityId)).not.toContain(offeredId);
    const verified = await run(admin, ['audit', 'verify', '--json']);
    expect(verified.code, verified.stdout + verified.stderr).toBe(0);
  });

  it('--no-waitlist leaves the slot free; reject and reschedule free slots too', async () => {
    const doctor = await makeDoctor(db().knex);
    const holder = await makePatient(db().knex);
    const waiting = await makePatient(db().knex);
    const queued = await wait(staff, doctor, waiting);
    const a = await book(doctor, holder, '2027-01-06', '09:00');
    expect((await run(staff, ['appointments', 'cancel', a.id, '--reason', 'x', '--no-waitlist'])).code).toBe(0);
    expect((await entry(queued.id)).status).toBe('WAITING');

    const b = await book(doctor, holder, '2027-01-06', '09:30');
    expect((await run(staff, ['appointments', 'reschedule', b.id, '--date', '2027-01-07', '--time', '09:00', '--no-waitlist'])).code).toBe(0);
    expect((await entry(queued.id)).status).toBe('WAITING');
    const moved = await run(staff, [
      'appointments',
      'reschedule',
      '--json',
      (await book(doctor, holder, '2027-01-06', '11:00')).id,
      '--date',
      '2027-01-07',
      '--time',
      '11:00',
    ]);
    expect(moved.code, moved.stderr).toBe(0);
    const got = await entry(queued.id);
    expect(got.status).toBe('FULFILLED');
    expect((await run(staff, ['appointments', 'show', '--json', got.appointmentId!])).json<Appointment>()).toMatchObject({
      date: '2027-01-06',
      startTime: '11:00',
    });

    const another = await wait(staff, doctor, await makePatient(db().knex));
    const pending = await run(staff, [
      'appointments',
      'book',
      '--json',
      '--patient',
      holder.username,
      '--doctor',
      doctor.username,
      '--date',
      '2027-01-08',
      '--time',
      '09:00',
    ]);
    expect((await run(doctor, ['appointments', 'reject', pending.json<Appointment>().id])).code).toBe(0);
    expect((await entry(another.id)).status).toBe('FULFILLED');
  });
});
