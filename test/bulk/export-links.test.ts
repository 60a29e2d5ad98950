import { beforeAll, expect, it } from 'vitest';
import { MONDAY, NOW, TUESDAY, appointmentsCli, booker } from '../appointments/helpers.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, describeBackends, type TestDatabase } from '../support/database.js';
import { makeStaff, makeClinic, type Clinic } from '../support/factories.js';
import type { FhirBundle } from '../support/fhir.js';

/** Appointment CSV/NDJSON exports carry cancelReason, the reschedule link and the series, and import them again. */
describeBackends('appointments export: cancelReason, rescheduledFromId and seriesId', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  let c: Clinic;
  let oldId: string;
  let newId: string;
  let cancelledId: string;
  let seriesId: string;
  const importCsv = (text: string) =>
    runCli(['appointments', 'import', '-', '--format', 'csv', '--json'], { database: db().database, actor: c.staff, stdin: `${text}\n`, now: () => NOW });

  beforeAll(async () => {
    c = await makeClinic(db().knex);
    const first = await book(c.staff, { patient: c.patient, doctor: c.doctor, date: MONDAY, time: '09:00' });
    const moved = await cli(c.staff, ['reschedule', '--json', first.id, '--date', TUESDAY, '--time', '10:00']);
    expect(moved.code, moved.stderr).toBe(0);
    oldId = first.id;
    newId = moved.json<{ id: string }>().id;
    const other = await book(c.staff, { patient: c.otherPatient, doctor: c.otherDoctor, date: MONDAY, time: '11:00' });
    expect((await cli(c.staff, ['cancel', other.id, '--reason', 'patient called'])).code).toBe(0);
    cancelledId = other.id;
    const series = await cli(c.staff, [
      'book',
      '--patient',
      c.patient.username,
      '--doctor',
      c.doctor.username,
      '--date',
      MONDAY,
      '--time',
      '14:00',
      '--repeat',
      'weekly',
      '--count',
      '3',
    ]);
    expect(series.code, series.stderr).toBe(0);
    const occurrences = await db().knex('appointments').whereNotNull('series_id').select('series_id');
    expect(occurrences).toHaveLength(3);
    seriesId = occurrences[0].series_id;
  });

  for (const format of ['csv', 'ndjson'] as const) {
    it(`${format}: exported, then imported into a clinic with the same people, with the reason and the link`, async () => {
      const exported = await cli(c.staff, ['export', '--format', format]);
      expect(exported.code, exported.stderr).toBe(0);
      if (format === 'ndjson') {
        const rows = exported.stdout
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line));
        expect(rows.find((row) => row.externalId === newId)).toMatchObject({ rescheduledFromId: oldId });
        expect(rows.find((row) => row.externalId === cancelledId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'patient called' });
        expect(rows.filter((row) => row.seriesId === seriesId)).toHaveLength(3);
      }
      const target: TestDatabase = await createTestDatabase(db().backend);
      try {
        // The same people (with their ids) in the new clinic: a whole-clinic import of the users and profiles only.
        const whole = await runCli(['export'], { database: db().database, now: () => NOW });
        const people = whole.stdout
          .split('\n')
          .filter((line) => !/"table":"(appointments|audit_log|audit_log_chain_head|messages)"/.test(line))
          .join('\n');
        expect((await runCli(['import', '-'], { database: target.database, stdin: people, now: () => NOW })).code).toBe(0);
        const staff = await makeStaff(target.knex);
        const imported = await runCli(['appointments', 'import', '-', '--format', format, '--json'], {
          database: target.database,
          actor: staff,
          stdin: exported.stdout,
          now: () => NOW,
        });
        expect(imported.code, imported.stderr).toBe(0);
        const moved = await target.knex('appointments').where({ external_id: newId }).first();
        const old = await target.knex('appointments').where({ external_id: oldId }).first();
        expect(moved.rescheduled_from_id).toBe(old.id);
        expect(old).toMatchObject({ status: 'CANCELLED' });
        expect(await target.knex('appointments').where({ external_id: cancelledId }).first()).toMatchObject({
          status: 'CANCELLED',
          cancel_reason: 'patient called',
        });
        // The series is whole again: cancel --series and reschedule --series find its occurrences.
        const occurrences = await target.knex('appointments').where({ series_id: seriesId }).select('doctor_id', 'patient_id');
        expect(occurrences).toHaveLength(3);
        expect(await target.knex('appointments').whereNotNull('series_id').whereNot({ series_id: seriesId }).first()).toBeUndefined();
      } finally {
        await target.drop();
      }
    });
  }

  it("FHIR: the stored cancel reason, the reschedule extension, the clinic's identifier system; an empty export has no entry", async () => {
    const fhir = async () => {
      const result = await cli(c.staff, ['export', '--format', 'fhir']);
      expect(result.code, result.stderr).toBe(0);
      return JSON.parse(result.stdout) as Partial<FhirBundle>;
    };
    const byId = (bundle: Awaited<ReturnType<typeof fhir>>, id: string) => bundle.entry!.find((entry) => entry.resource.id === id)!.resource;
    const bundle = await fhir();
    expect(byId(bundle, cancelledId).cancelationReason).toEqual({ text: 'patient called' });
    expect(byId(bundle, newId).extension).toEqual([{ url: 'urn:clinic:extension:rescheduled-from', valueReference: { reference: `urn:uuid:${oldId}` } }]);
    expect(bundle.entry!.some((entry) => entry.fullUrl === `urn:uuid:${oldId}`)).toBe(true);

    const keyed = await cli(c.staff, [
      'book',
      '--json',
      '--patient',
      c.patient.username,
      '--doctor',
      c.doctor.username,
      '--date',
      TUESDAY,
      '--time',
      '15:00',
      '--idempotency-key',
      'fhir-key-1',
    ]);
    expect(keyed.code, keyed.stderr).toBe(0);
    const set = await runCli(['settings', 'set', 'fhir-identifier-system', 'https://clinic-a.example/fhir/external-id'], {
      database: db().database,
      actor: c.admin,
      now: () => NOW,
    });
    expect(set.code, set.stderr).toBe(0);
    const bad = await runCli(['settings', 'set', 'fhir-identifier-system', 'not a url'], { database: db().database, actor: c.admin, now: () => NOW });
    expect(bad.code).toBe(3);
    const withSystem = await fhir();
    expect(byId(withSystem, keyed.json<{ id: string }>().id).identifier).toEqual([
      { system: 'https://clinic-a.example/fhir/external-id', value: 'fhir-key-1' },
    ]);

    const empty = await cli(c.staff, ['export', '--format', 'fhir', '--date', '2030-01-07']);
    expect(empty.code, empty.stderr).toBe(0);
    const none = JSON.parse(empty.stdout) as Record<string, unknown>;
    expect(none).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(none).not.toHaveProperty('entry');
  });

  it("refuses a seriesId that is not a UUID, one given to two doctors' rows, and one of another patient in the clinic", async () => {
    const mixed = '11111111-2222-4333-8444-555555555555';
    const stdin = [
      'patient,doctor,date,time,status,externalId,seriesId',
      `${c.patient.username},${c.doctor.username},2027-01-06,09:00,PENDING,s-1,not-a-uuid`,
      `${c.patient.username},${c.doctor.username},2027-01-06,10:00,PENDING,s-2,${mixed}`,
      `${c.patient.username},${c.otherDoctor.username},2027-01-07,10:00,PENDING,s-3,${mixed.toUpperCase()}`,
      `${c.otherPatient.username},${c.doctor.username},2027-02-01,14:00,PENDING,s-4,${seriesId}`,
    ].join('\n');
    const before = await db().knex('appointments').count({ n: '*' }).first();
    const refused = await importCsv(stdin);
    expect(refused.code).toBe(3);
    expect(JSON.parse(refused.stderr).error.rows).toEqual([
      { line: 2, error: 'invalid seriesId "not-a-uuid": the UUID that `appointments export` writes' },
      { line: 3, error: `seriesId "${mixed}" is given to rows of different doctors or patients` },
      { line: 4, error: `seriesId "${mixed}" is given to rows of different doctors or patients` },
      { line: 5, error: `seriesId "${seriesId}" is a series of another doctor or patient in the clinic` },
    ]);
    expect(await db().knex('appointments').count({ n: '*' }).first()).toEqual(before);
  });

  it('refuses a cancelReason on an active status, and a link to nothing', async () => {
    const header = 'patient,doctor,date,time,status,externalId,cancelReason,rescheduledFromId';
    const stdin = [
      header,
      `${c.patient.username},${c.doctor.username},2027-01-06,09:00,PENDING,x-1,why,`,
      `${c.patient.username},${c.doctor.username},2027-01-06,10:00,PENDING,x-2,,nowhere`,
    ].join('\n');
    const refused = await importCsv(stdin);
    expect(refused.code).toBe(3);
    const rows = JSON.parse(refused.stderr).error.rows as Array<{ line: number; error: string }>;
    expect(rows).toEqual([
      { line: 2, error: 'a cancelReason goes with a CANCELLED or REJECTED status, not PENDING' },
      { line: 3, error: 'rescheduledFromId "nowhere" names no appointment of the clinic or of an earlier line' },
    ]);
  });
});
