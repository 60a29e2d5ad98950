import fs from 'node:fs/promises';
import path from 'node:path';
import type { Knex } from 'knex';
import { beforeAll, expect, inject, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, describeBackends, type TestDatabase } from '../support/database.js';
import { makeDoctor, makePatient, makeStaff } from '../support/factories.js';
import type { FhirBundle } from '../support/fhir.js';

const NOW = new Date('2027-01-01T12:00:00Z');
const now = () => NOW;
const ZONE = 'Europe/Berlin';
const HEADER = 'patient,doctor,date,time,reason,durationMinutes,status,externalId';

/** The same people on any database: the round trip needs them on both sides. */
async function makePeople(knex: Knex) {
  await upsertSetting(knex, 'timezone', ZONE, null);
  const staff = await makeStaff(knex, { username: 'desk.export' });
  const doctors = [
    await makeDoctor(knex, { username: 'dr.export.a', specialty: 'Cardiology' }),
    await makeDoctor(knex, { username: 'dr.export.b', slotMinutes: 20 }),
  ];
  const patients = [];
  for (const name of ['pt.export.a', 'pt.export.b', 'pt.export.c']) patients.push(await makePatient(knex, { username: name, dateOfBirth: '1980-05-17' }));
  return { staff, doctors, patients };
}

async function appointmentsOf(knex: Knex) {
  return knex('appointments as a')
    .join('users as p', 'p.id', 'a.patient_id')
    .join('users as d', 'd.id', 'a.doctor_id')
    .select('p.username as patient', 'd.username as doctor', 'a.starts_at', 'a.ends_at', 'a.status', 'a.reason')
    .orderBy(['a.starts_at', 'd.username']);
}

describeBackends('appointments export', (db) => {
  let staff: Actor;
  let tmp: string;
  const cli = (args: string[], database: TestDatabase = db(), actor: Actor = staff) => runCli(args, { database: database.database, actor, now });

  beforeAll(async () => {
    tmp = await fs.mkdtemp(path.join(inject('testRoot'), 'clinic-export-')); // the run's root, which the teardown removes
    ({ staff } = await makePeople(db().knex));
    const file = path.join(tmp, 'seed.csv');
    await fs.writeFile(
      file,
      [
        HEADER,
        'pt.export.a,dr.export.a,2027-01-04,09:00,"Check-up, yearly",,,ext-1',
        'pt.export.b,dr.export.a,2027-01-04,09:30,,60,APPROVED,ext-2',
        'pt.export.c,dr.export.b,2027-01-05,10:20,Rash,,REJECTED,ext-3',
        'pt.export.a,dr.export.b,2027-01-05,11:00,,,CANCELLED,',
        'pt.export.b,dr.export.b,2026-12-28,09:00,Follow-up,,COMPLETED,ext-5',
        'pt.export.c,dr.export.a,2026-12-29,10:00,,,NO_SHOW,ext-6',
      ].join('\n'),
    );
    const imported = await cli(['appointments', 'import', file, '--json']);
    expect(imported.stderr).toBe('');
    expect(imported.json()).toEqual({ imported: 6, skipped: 0, rejected: 0 });
  });

  for (const format of ['csv', 'ndjson'] as const) {
    it(`exports ${format} that imports into an empty clinic with the same people as the same appointments, and again adds nothing`, async () => {
      const exported = await cli(['appointments', 'export', '--format', format]);
      expect(exported.code).toBe(0);
      expect(exported.stderr).toBe('');
      if (format === 'csv') expect(exported.stdout.split('\n')[0]).toBe(`${HEADER},cancelReason,rescheduledFromId,seriesId`);
      else
        expect(
          exported.stdout
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line).patient),
        ).toHaveLength(6);
      const file = path.join(tmp, `export.${format}`);
      await fs.writeFile(file, exported.stdout);

      const again = await cli(['appointments', 'import', file, '--json']);
      expect(again.json()).toEqual({ imported: 0, skipped: 6, rejected: 0 });

      const fresh = await createTestDatabase(db().backend);
      try {
        const people = await makePeople(fresh.knex);
        const result = await cli(['appointments', 'import', file, '--json'], fresh, people.staff);
        expect(result.stderr).toBe('');
        expect(result.json()).toEqual({ imported: 6, skipped: 0, rejected: 0 });
        expect(await appointmentsOf(fresh.knex)).toEqual(await appointmentsOf(db().knex));
        const twice = await cli(['appointments', 'import', file, '--json'], fresh, people.staff);
        expect(twice.json()).toEqual({ imported: 0, skipped: 6, rejected: 0 });
      } finally {
        await fresh.drop();
      }
    });
  }

  it('applies the list filters', async () => {
    const byDoctor = await cli(['appointments', 'export', '--format', 'ndjson', '--doctor', 'dr.export.b']);
    expect(
      byDoctor.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line).externalId),
    ).toEqual(['ext-5', 'ext-3', expect.stringMatching(/^[0-9a-f-]{36}$/)]);
    const byDay = await cli(['appointments', 'export', '--format', 'ndjson', '--date', '2027-01-04', '--status', 'approved']);
    expect(
      byDay.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      {
        patient: 'pt.export.b',
        doctor: 'dr.export.a',
        date: '2027-01-04',
        time: '09:30',
        reason: null,
        durationMinutes: 60,
        status: 'APPROVED',
        externalId: 'ext-2',
        cancelReason: null,
        rescheduledFromId: null,
        seriesId: null,
      },
    ]);
    const bad = await cli(['appointments', 'export', '--from', '2027-02-01', '--to', '2027-01-01']);
    expect(bad.code).toBe(3);
    const doctor = (await db().knex('users').where({ username: 'dr.export.a' }).first()) as { id: string; username: string };
    expect((await cli(['appointments', 'export'], db(), { id: doctor.id, username: doctor.username, role: 'doctor' })).code).toBe(5);
  });

  it('writes a FHIR R4 collection Bundle of Patient, Practitioner and Appointment resources', async () => {
    const result = await cli(['appointments', 'export', '--format', 'fhir']);
    expect(result.code).toBe(0);
    const bundle = JSON.parse(result.stdout) as FhirBundle;
    expect(bundle.resourceType).toBe('Bundle');
    expect(bundle.type).toBe('collection');
    expect(bundle.timestamp).toBe(NOW.toISOString());
    const resources = bundle.entry.map((entry) => entry.resource);
    const byType = (type: string) => resources.filter((resource) => resource.resourceType === type);
    expect(
      byType('Patient')
        .map((p) => p.identifier[0]!.value)
        .sort(),
    ).toEqual(['pt.export.a', 'pt.export.b', 'pt.export.c']);
    expect(
      byType('Practitioner')
        .map((p) => p.identifier[0]!.value)
        .sort(),
    ).toEqual(['dr.export.a', 'dr.export.b']);
    expect(byType('Patient')[0]).toMatchObject({ birthDate: '1980-05-17', name: [{ text: expect.any(String) }] });
    const appointments = byType('Appointment');
    expect(appointments).toHaveLength(6);
    for (const entry of bundle.entry) expect(entry.fullUrl).toBe(`urn:uuid:${entry.resource.id}`);
    const typeOf = new Map(bundle.entry.map((entry) => [entry.fullUrl, entry.resource.resourceType as string]));
    for (const appointment of appointments) {
      expect(appointment.participant).toHaveLength(2);
      for (const participant of appointment.participant) expect(typeOf.has(participant.actor.reference)).toBe(true);
      expect(appointment.participant.map((p: { actor: { reference: string } }) => typeOf.get(p.actor.reference))).toEqual(['Patient', 'Practitioner']);
      expect(Date.parse(appointment.end) - Date.parse(appointment.start)).toBe(appointment.minutesDuration * 60_000);
    }
    const status = (externalId: string) => appointments.find((a) => a.identifier?.[0]?.value === externalId)!;
    expect(status('ext-1')).toMatchObject({ status: 'pending', description: 'Check-up, yearly', start: '2027-01-04T08:00:00.000Z' });
    expect(status('ext-1').identifier).toEqual([{ system: 'urn:clinic:external-id', value: 'ext-1' }]);
    expect(status('ext-1').participant.map((p: { status: string }) => p.status)).toEqual(['needs-action', 'needs-action']);
    expect(status('ext-2').status).toBe('booked');
    expect(status('ext-2').participant.map((p: { status: string }) => p.status)).toEqual(['accepted', 'accepted']);
    expect(status('ext-3')).toMatchObject({ status: 'cancelled', cancelationReason: { text: 'doctor declined' } });
    expect(status('ext-3').participant.map((p: { status: string }) => p.status)).toEqual(['declined', 'declined']);
    // The clinic's own ids are resource ids, never identifiers: the one row imported without an externalId has none.
    expect(appointments.filter((a) => a.identifier === undefined)).toHaveLength(1);
    expect(status('ext-5').status).toBe('fulfilled');
    expect(status('ext-6').status).toBe('noshow');
    expect(appointments.filter((a) => a.status === 'cancelled')).toHaveLength(2);
    // Each person is described once, before the first appointment that refers to them.
    const firstUse = (reference: string) =>
      resources.findIndex(
        (r) => r.resourceType === 'Appointment' && r.participant.some((p: { actor: { reference: string } }) => p.actor.reference === reference),
      );
    for (const person of [...byType('Patient'), ...byType('Practitioner')]) {
      expect(resources.indexOf(person)).toBeLessThan(firstUse(`urn:uuid:${person.id}`));
    }
  });
});
