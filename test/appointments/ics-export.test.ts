import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { foldLine, icsSequence, icsText } from '../../src/domain/appointments/ics.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeClinic, makeDoctor, makePatient, type Clinic, type MadeUser } from '../support/factories.js';
import { appointmentsCli } from './helpers.js';

const NOW = new Date('2027-01-01T12:00:00Z');

function parse(text: string): ICAL.Component[] {
  const calendar = new ICAL.Component(ICAL.parse(text));
  expect(calendar.name).toBe('vcalendar');
  expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
  return calendar.getAllSubcomponents('vevent');
}

describe('ICS text rules (RFC 5545)', () => {
  it('escapes backslash, semicolon, comma and line breaks, and drops other controls', () => {
    expect(icsText('a\\b;c,d\ne\r\nf\u0007g')).toBe('a\\\\b\\;c\\,d\\ne\\nfg');
  });

  it('folds at 75 octets without splitting a UTF-8 character', () => {
    const line = `SUMMARY:${'ã'.repeat(60)}`;
    const folded = foldLine(line).split('\r\n');
    expect(folded.length).toBeGreaterThan(1);
    for (const part of folded) expect(Buffer.byteLength(part, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.slice(1).every((part) => part.startsWith(' '))).toBe(true);
    expect(folded.map((part, i) => (i === 0 ? part : part.slice(1))).join('')).toBe(line);
    expect(foldLine('SHORT:x')).toBe('SHORT:x');
  });

  it('SEQUENCE grows with reschedules and with the status moving forward', () => {
    expect(icsSequence('PENDING', 0)).toBe(0);
    expect(icsSequence('APPROVED', 0)).toBe(1);
    expect(icsSequence('CANCELLED', 0)).toBe(2);
    expect(icsSequence('PENDING', 1)).toBeGreaterThan(icsSequence('CANCELLED', 0));
  });
});

describeBackends('appointments export --format ics', (db) => {
  const cli = appointmentsCli(db);
  let c: Clinic;
  let doctor: MadeUser;
  let patient: MadeUser;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    c = await makeClinic(db().knex);
    doctor = await makeDoctor(db().knex, { fullName: 'Ana Silva, MD' });
    patient = await makePatient(db().knex, { fullName: 'João; "Pereira"', doctors: [doctor] });
    const knex = db().knex;
    ids.pending = (
      await makeAppointment(knex, { patient, doctor, startsAt: '2027-02-01T09:00:00Z', status: 'PENDING', reason: 'Check-up, yearly; fasting\nbring results' })
    ).id;
    ids.rejected = (await makeAppointment(knex, { patient, doctor, startsAt: '2027-02-01T10:00:00Z', status: 'REJECTED' })).id;
    // A chain: booked, rescheduled once (the first becomes CANCELLED "rescheduled"), then again.
    ids.first = (await makeAppointment(knex, { patient, doctor, startsAt: '2027-02-02T09:00:00Z', status: 'CANCELLED' })).id;
    const insertSuccessor = async (from: string, startsAt: string, status: string) => {
      const [row] = await knex('appointments')
        .insert({
          patient_id: patient.id,
          doctor_id: doctor.id,
          starts_at: startsAt,
          ends_at: new Date(Date.parse(startsAt) + 30 * 60_000),
          status,
          rescheduled_from_id: from,
        })
        .returning(['id']);
      return row.id as string;
    };
    ids.second = await insertSuccessor(ids.first, '2027-02-03T09:00:00Z', 'CANCELLED');
    ids.third = await insertSuccessor(ids.second, '2027-02-04T09:00:00Z', 'APPROVED');
    ids.otherDoctors = (
      await makeAppointment(knex, { patient: c.otherPatient, doctor: c.otherDoctor, startsAt: '2027-02-05T09:00:00Z', status: 'APPROVED' })
    ).id;
  });

  it('writes a calendar that ical.js reads: UTC times, stable UIDs, STATUS mapped, SEQUENCE bumped by reschedules', async () => {
    const result = await cli(c.staff, ['export', '--format', 'ics', '--doctor', doctor.username], NOW);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const text = result.stdout;
    expect(text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    for (const line of text.split('\r\n')) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);

    const events = parse(text);
    const byUid = new Map(events.map((event) => [event.getFirstPropertyValue('uid') as string, event]));
    // The replaced appointments are not events of their own: the chain is one event, under its first id.
    expect([...byUid.keys()].sort()).toEqual([`${ids.pending}@clinic`, `${ids.rejected}@clinic`, `${ids.first}@clinic`].sort());

    const pending = byUid.get(`${ids.pending}@clinic`)!;
    expect(pending.getFirstPropertyValue('status')).toBe('TENTATIVE');
    expect(pending.getFirstPropertyValue('sequence')).toBe(0);
    expect(pending.getFirstPropertyValue('summary')).toBe('João; "Pereira" with Ana Silva, MD');
    expect(pending.getFirstPropertyValue('description')).toContain('Reason: Check-up, yearly; fasting\nbring results');
    const start = pending.getFirstPropertyValue('dtstart') as ICAL.Time;
    expect(start.zone?.tzid).toBe('UTC');
    expect(start.toJSDate().toISOString()).toBe('2027-02-01T09:00:00.000Z');
    expect((pending.getFirstPropertyValue('dtend') as ICAL.Time).toJSDate().toISOString()).toBe('2027-02-01T09:30:00.000Z');
    expect((pending.getFirstPropertyValue('dtstamp') as ICAL.Time).toJSDate().toISOString()).toBe(NOW.toISOString());

    expect(byUid.get(`${ids.rejected}@clinic`)!.getFirstPropertyValue('status')).toBe('CANCELLED');
    const moved = byUid.get(`${ids.first}@clinic`)!;
    expect(moved.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(moved.getFirstPropertyValue('sequence')).toBe(7); // two reschedules (6) + confirmed (1)
    expect((moved.getFirstPropertyValue('dtstart') as ICAL.Time).toJSDate().toISOString()).toBe('2027-02-04T09:00:00.000Z');
    expect(moved.getFirstPropertyValue('description')).toContain(ids.third);
  });

  it('a cancelled appointment is STATUS:CANCELLED under the UID its calendar already has', async () => {
    await db().knex('appointments').where({ id: ids.third }).update({ status: 'CANCELLED', cancel_reason: 'patient moved' });
    const events = parse((await cli(c.staff, ['export', '--format', 'ics', '--doctor', doctor.username], NOW)).stdout);
    const moved = events.find((event) => event.getFirstPropertyValue('uid') === `${ids.first}@clinic`)!;
    expect(moved.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(moved.getFirstPropertyValue('sequence')).toBe(8);
    await db().knex('appointments').where({ id: ids.third }).update({ status: 'APPROVED', cancel_reason: null });
  });

  it('a window that holds a replaced appointment but not where it moved shows it cancelled, once per chain', async () => {
    const window = async (from: string, to: string) => {
      const result = await cli(c.staff, ['export', '--format', 'ics', '--doctor', doctor.username, '--from', from, '--to', to], NOW);
      expect(result.code, result.stderr).toBe(0);
      return parse(result.stdout).filter((event) => event.getFirstPropertyValue('uid') === `${ids.first}@clinic`);
    };
    // Only the first booking's day: it was moved away, so the calendar takes it off that day.
    const [first, ...none] = await window('2027-02-02', '2027-02-02');
    expect(none).toHaveLength(0);
    expect(first!.getFirstPropertyValue('status')).toBe('CANCELLED');
    expect(first!.getFirstPropertyValue('sequence')).toBe(2);
    expect(first!.getFirstPropertyValue('description')).toContain(ids.first);
    // The first two days: one event for the chain, the later of the two (moved once, then away again).
    const [second, ...alone] = await window('2027-02-02', '2027-02-03');
    expect(alone).toHaveLength(0);
    expect(second!.getFirstPropertyValue('description')).toContain(ids.second);
    expect(second!.getFirstPropertyValue('sequence')).toBe(5);
    // The day it moved to last: the chain's current appointment, which outranks both.
    const [third, ...more] = await window('2027-02-02', '2027-02-04');
    expect(more).toHaveLength(0);
    expect(third!.getFirstPropertyValue('description')).toContain(ids.third);
    expect(third!.getFirstPropertyValue('sequence')).toBe(7);
  });

  it("a patient's calendar names only the doctor, never the patient or the reason; a doctor's names the patient", async () => {
    const mine = await cli(patient, ['export', '--format', 'ics'], NOW);
    expect(mine.code, mine.stderr).toBe(0);
    const events = parse(mine.stdout);
    expect(events).toHaveLength(3);
    for (const event of events) {
      expect(event.getFirstPropertyValue('summary')).toBe('Appointment with Ana Silva, MD');
      expect(event.getFirstPropertyValue('description')).not.toContain('Check-up');
    }
    expect(mine.stdout).not.toContain('Pereira');
    // staff exporting one patient's calendar (to hand over) get the same discreet text
    expect((await cli(c.staff, ['export', '--format', 'ics', '--patient', patient.username], NOW)).stdout).not.toContain('Pereira');

    const doctors = await cli(doctor, ['export', '--format', 'ics'], NOW);
    expect(doctors.code, doctors.stderr).toBe(0);
    expect(parse(doctors.stdout)).toHaveLength(3);
    expect(doctors.stdout).toContain('Pereira');
    expect(doctors.stdout).not.toContain(ids.otherDoctors);
  });

  it('doctors and patients get only their own, even when they name someone else', async () => {
    const other = await cli(doctor, ['export', '--format', 'ics', '--doctor', c.otherDoctor.username], NOW);
    expect(other.code, other.stderr).toBe(0);
    expect(parse(other.stdout)).toHaveLength(0);
    const hidden = await cli(patient, ['export', '--format', 'ics', '--patient', c.otherPatient.username], NOW);
    expect(hidden.code, hidden.stderr).toBe(0);
    expect(parse(hidden.stdout)).toHaveLength(0);
    const unknown = await cli(patient, ['export', '--format', 'ics', '--patient', 'nobody-at-all'], NOW);
    expect(unknown.stdout).toBe(hidden.stdout);
  });

  it('takes --from/--to, refuses --json (exit 2), and is audited', async () => {
    const window = await cli(c.staff, ['export', '--format', 'ics', '--from', '2027-02-01', '--to', '2027-02-01'], NOW);
    expect(parse(window.stdout).map((event) => event.getFirstPropertyValue('uid'))).toEqual([`${ids.pending}@clinic`, `${ids.rejected}@clinic`]);
    const json = await cli(c.staff, ['export', '--format', 'ics', '--json'], NOW);
    expect(json.code).toBe(2);
    expect(json.stdout).toBe('');
    const audit = await db().knex('audit_log').where({ action: 'appointments.export', actor_id: patient.id });
    expect(audit.length).toBeGreaterThan(0);
    expect(audit[0].details).toMatchObject({ format: 'ics' });
  });

  it('the other formats stay for staff: a patient asking for csv gets exit 5', async () => {
    expect((await cli(patient, ['export', '--format', 'csv'], NOW)).code).toBe(5);
  });
});
