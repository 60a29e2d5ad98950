import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { insertTimeoff } from '../../src/db/repositories/doctors.js';
import { updateUser } from '../../src/db/repositories/users.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeClinic, makeDoctor, makePatient, uniqueName, type Clinic, type MadeUser } from '../support/factories.js';
import { MONDAY, appointmentsCli } from './helpers.js';

/**
 * Every booking rule, once, through both ways in: `appointments book` (the TypeScript rules) and
 * `appointments import` (the set-based SQL checks). Each case is one request; both must refuse it
 * with the same family of message and create nothing. `book` exits with the rule's own code; an
 * import with a bad row refuses the whole file as invalid input (exit 3) and names the row.
 */

interface Parties {
  doctor: MadeUser;
  patient: MadeUser;
  otherPatient: MadeUser;
}

interface RuleCase {
  name: string;
  date: string;
  time: string;
  duration?: number;
  /** what the clinic holds before the request */
  arrange?: (parties: Parties) => Promise<void>;
  /** one pattern both messages must match */
  family: (parties: Parties) => RegExp;
  bookExit: number;
}

const INVALID = 3;
const NOT_FOUND = 6;
const CONFLICT = 7;

describeBackends('booking rules, through book and import alike', (db) => {
  const cli = appointmentsCli(db);
  let c: Clinic;
  let tmp: string;

  beforeAll(async () => {
    c = await makeClinic(db().knex); // Europe/Lisbon; the clock is Friday 2027-01-01 12:00 UTC
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-rules-'));
  });
  afterAll(async () => {
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const insertAppointment = (row: { doctor: MadeUser; patient: MadeUser; startsAt: string; minutes: number }) =>
    makeAppointment(db().knex, { ...row, status: 'APPROVED' });

  const cases: RuleCase[] = [
    { name: 'outside hours', date: MONDAY, time: '07:00', family: () => /07:00 is outside the doctor's hours on Mondays/i, bookExit: CONFLICT },
    { name: 'a day the doctor does not work', date: '2027-01-09', time: '10:00', family: () => /the doctor does not work on Saturdays/i, bookExit: CONFLICT },
    {
      name: 'running past the end of the hours',
      date: MONDAY,
      time: '16:30',
      duration: 60,
      family: () => /runs past the end of the doctor's hours/i,
      bookExit: CONFLICT,
    },
    { name: 'off the slot grid', date: MONDAY, time: '09:10', family: () => /09:10 is not on the doctor's 30-minute grid/i, bookExit: INVALID },
    { name: 'in the past', date: '2026-12-28', time: '10:00', family: () => /2026-12-28 10:00 is in the past/i, bookExit: INVALID },
    {
      name: 'time-off',
      date: MONDAY,
      time: '10:00',
      arrange: ({ doctor }) =>
        insertTimeoff(db().knex, {
          doctor_id: doctor.id,
          starts_at: new Date('2027-01-04T00:00:00Z'),
          ends_at: new Date('2027-01-05T00:00:00Z'),
          reason: null,
          created_by: null,
        }).then(() => {}),
      family: () => /the doctor is away from 2027-01-04 00:00 to 2027-01-04 24:00/i,
      bookExit: CONFLICT,
    },
    {
      name: 'a clash with the doctor',
      date: MONDAY,
      time: '11:00',
      arrange: ({ doctor, otherPatient }) => insertAppointment({ doctor, patient: otherPatient, startsAt: '2027-01-04T11:00:00Z', minutes: 30 }).then(() => {}),
      family: ({ doctor }) => new RegExp(`(${doctor.username.replace('.', '\\.')}|the doctor) already has (an )?appointment`, 'i'),
      bookExit: CONFLICT,
    },
    {
      name: 'a clash with the patient',
      date: MONDAY,
      time: '11:00',
      arrange: async ({ patient }) => {
        await insertAppointment({ doctor: c.otherDoctor, patient, startsAt: '2027-01-04T11:00:00Z', minutes: 30 });
      },
      family: ({ patient }) => new RegExp(`(patient ${patient.username.replace('.', '\\.')}|the patient) already has (an )?appointment`, 'i'),
      bookExit: CONFLICT,
    },
    {
      name: 'a duration off the slot',
      date: MONDAY,
      time: '09:00',
      duration: 45,
      family: () => /invalid duration 45: .*multiple of the doctor's 30-minute slot/i,
      bookExit: INVALID,
    },
    { name: 'a duration too long', date: MONDAY, time: '09:00', duration: 510, family: () => /invalid duration.*510.*at most 480 minutes/i, bookExit: INVALID },
    {
      name: 'a disabled doctor',
      date: MONDAY,
      time: '09:00',
      arrange: ({ doctor }) => updateUser(db().knex, doctor.id, { status: 'disabled' }).then(() => {}),
      family: ({ doctor }) => new RegExp(`doctor "?${doctor.username.replace('.', '\\.')}"? is disabled`, 'i'),
      bookExit: CONFLICT,
    },
    {
      name: 'a disabled patient',
      date: MONDAY,
      time: '09:00',
      arrange: ({ patient }) => updateUser(db().knex, patient.id, { status: 'disabled' }).then(() => {}),
      family: ({ patient }) => new RegExp(`patient "?${patient.username.replace('.', '\\.')}"? is disabled`, 'i'),
      bookExit: CONFLICT,
    },
    // Lisbon's clocks skip 01:00-02:00 on Sunday 2027-03-28.
    {
      name: 'a time the clocks skip (DST gap)',
      date: '2027-03-28',
      time: '01:30',
      family: () => /2027-03-28 01:30 does not exist in Europe\/Lisbon/i,
      bookExit: INVALID,
    },
  ];

  it.each(cases)('$name: both refuse it, in the same words, and book nothing', async (rule) => {
    const doctor = await makeDoctor(db().knex, { username: uniqueName('dr') });
    const parties: Parties = {
      doctor,
      patient: await makePatient(db().knex, { username: uniqueName('pt'), doctors: [doctor] }),
      otherPatient: await makePatient(db().knex, { username: uniqueName('pt'), doctors: [doctor] }),
    };
    await rule.arrange?.(parties);
    const family = rule.family(parties);
    const count = async () => Number((await db().knex('appointments').where({ doctor_id: doctor.id }).count({ n: '*' }))[0]!.n);
    const before = await count();

    const duration = rule.duration === undefined ? [] : ['--duration', String(rule.duration)];
    const booked = await cli(c.staff, [
      'book',
      '--patient',
      parties.patient.username,
      '--doctor',
      doctor.username,
      '--date',
      rule.date,
      '--time',
      rule.time,
      ...duration,
    ]);
    expect(booked.code, booked.stderr).toBe(rule.bookExit);
    expect(booked.stderr).toMatch(family);

    const file = path.join(tmp, `${uniqueName('rule')}.csv`);
    await fs.writeFile(
      file,
      `patient,doctor,date,time,reason,durationMinutes,status,externalId\n${parties.patient.username},${doctor.username},${rule.date},${rule.time},,${rule.duration ?? ''},,\n`,
    );
    const imported = await cli(c.staff, ['import', file]);
    expect(imported.code, imported.stderr).toBe(INVALID);
    expect(imported.stderr).toMatch(/1 row is invalid/);
    expect(imported.stderr).toMatch(new RegExp(`line 2: .*${family.source}`, 'i'));

    expect(await count()).toBe(before);
  });

  it('an unknown doctor: not found for book, a bad row for import', async () => {
    const name = uniqueName('dr');
    const booked = await cli(c.staff, ['book', '--patient', c.patient.username, '--doctor', name, '--date', MONDAY, '--time', '09:00']);
    expect(booked.code, booked.stderr).toBe(NOT_FOUND);
    expect(booked.stderr).toMatch(new RegExp(`no doctor "${name.replace('.', '\\.')}"`, 'i'));
    const file = path.join(tmp, `${uniqueName('rule')}.csv`);
    await fs.writeFile(file, `patient,doctor,date,time\n${c.patient.username},${name},${MONDAY},09:00\n`);
    const imported = await cli(c.staff, ['import', file]);
    expect(imported.code, imported.stderr).toBe(INVALID);
    expect(imported.stderr).toMatch(new RegExp(`line 2: unknown doctor "${name.replace('.', '\\.')}"`, 'i'));
  });
});
