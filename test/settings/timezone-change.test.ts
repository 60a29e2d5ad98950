import { beforeAll, expect, it } from 'vitest';
import { previewTimeZoneChange, updateSetting } from '../../src/domain/settings/service.js';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeClinic, type Clinic } from '../support/factories.js';
import { hasPty, runOnPty } from '../support/pty.js';

const NOW = new Date('2027-03-01T12:00:00Z');
const now = () => NOW;

describeBackends('changing the clinic time zone under future appointments', (db) => {
  let clinic: Clinic;

  beforeAll(async () => {
    clinic = await makeClinic(db().knex, 'UTC');
    // Monday 2027-03-08: 09:00 and 16:00 UTC, both inside mon–fri 09:00–17:00 in UTC.
    // In America/New_York (UTC-5 that day) they are 04:00 (outside) and 11:00 (inside).
    await makeAppointment(db().knex, { patient: clinic.patient, doctor: clinic.doctor, startsAt: '2027-03-08T09:00:00Z' });
    await makeAppointment(db().knex, { patient: clinic.patient, doctor: clinic.doctor, startsAt: '2027-03-08T16:00:00Z', status: 'PENDING' });
    // not counted: in the past, and cancelled
    await makeAppointment(db().knex, { patient: clinic.patient, doctor: clinic.doctor, startsAt: '2027-02-01T09:00:00Z' });
    await makeAppointment(db().knex, { patient: clinic.patient, doctor: clinic.doctor, startsAt: '2027-03-09T09:00:00Z', status: 'CANCELLED' });
  });

  const zone = async () => (await db().knex('settings').where({ key: 'timezone' }).first<{ value: string }>()).value;

  it('the domain reports how many future appointments there are and how many fall outside the hours', async () => {
    expect(await previewTimeZoneChange(db().context(clinic.admin, now), 'America/New_York')).toEqual({
      from: 'UTC',
      to: 'America/New_York',
      futureAppointments: 2,
      outsideHours: 1,
    });
  });

  it('the domain refuses the change without acceptance, as a conflict, and changes nothing', async () => {
    await expect(updateSetting(db().context(clinic.admin, now), { key: 'timezone', value: 'America/New_York' })).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await zone()).toBe('UTC');
  });

  it('only an admin may preview it', async () => {
    await expect(previewTimeZoneChange(db().context(clinic.staff, now), 'America/New_York')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('without a terminal and without --yes: exit 2 naming --yes, the consequence said, nothing changed', async () => {
    const result = await runCli(['settings', 'set', 'timezone', 'America/New_York'], { database: db().database, actor: clinic.admin, now });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--yes');
    expect(result.stderr).toContain('2 future appointments keep their moments');
    expect(result.stderr).toContain('1 of them will fall outside');
    expect(await zone()).toBe('UTC');
  });

  it('with --json and without --yes: a JSON error on stderr naming --yes', async () => {
    const result = await runCli(['settings', 'set', 'timezone', 'America/New_York', '--json'], { database: db().database, actor: clinic.admin, now });
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr).error.remedy).toContain('--yes');
    expect(result.stdout).toBe('');
  });

  it('a zone with no future appointments to move, or the same zone, needs no confirmation', async () => {
    const later = () => new Date('2027-04-01T00:00:00Z');
    const result = await runCli(['settings', 'set', 'timezone', 'Europe/Lisbon'], { database: db().database, actor: clinic.admin, now: later });
    expect(result.code, result.stderr).toBe(0);
    const back = await runCli(['settings', 'set', 'timezone', 'UTC'], { database: db().database, actor: clinic.admin, now: later });
    expect(back.code, back.stderr).toBe(0);
    expect(await zone()).toBe('UTC');
  });

  it('with --yes: changed, the instants kept, the consequence said and audited', async () => {
    const before = await db().knex('appointments').orderBy('starts_at').pluck('starts_at');
    const result = await runCli(['settings', 'set', 'timezone', 'America/New_York', '--yes'], { database: db().database, actor: clinic.admin, now });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('1 of them will fall outside');
    expect(await zone()).toBe('America/New_York');
    expect(await db().knex('appointments').orderBy('starts_at').pluck('starts_at')).toEqual(before);
    const audited = await db().knex('audit_log').where({ action: 'settings.update', entity_id: 'timezone' }).pluck('details');
    const details = audited.map((value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value));
    expect(details).toContainEqual({ value: 'America/New_York', from: 'UTC', futureAppointments: 2, outsideHours: 1 });
    await updateSetting(db().context(clinic.admin, now), { key: 'timezone', value: 'UTC', acceptTimeZoneChange: true });
  });

  it.skipIf(!hasPty)('on a real terminal: the consequence, then a question; "n" keeps the zone, "y" changes it', async () => {
    const { token } = await createApiToken(db().context(clinic.admin), { name: 'tz' });
    const where = db().target;
    const target = where.backend === 'embedded' ? ['--data-dir', where.dataDir] : ['--database-url', where.url];
    const env = { CLINIC_TOKEN: token, NO_COLOR: '1' };
    // The binary uses the real clock: appointments two years ahead are in its future.
    await makeAppointment(db().knex, { patient: clinic.otherPatient, doctor: clinic.otherDoctor, startsAt: '2099-03-09T09:00:00Z' });
    const no = runOnPty(['settings', 'set', 'timezone', 'Asia/Tokyo', ...target], { env, steps: [['Change the time zone to Asia/Tokyo?', 'n\r']] });
    expect(no.screen).toContain('future appointment');
    expect(no.screen).toContain('Change the time zone to Asia/Tokyo?');
    expect(no.code, no.screen).toBe(2);
    expect(no.screen).toContain('Not confirmed: nothing was changed.');
    expect(await zone()).toBe('UTC');
    const yes = runOnPty(['settings', 'set', 'timezone', 'Asia/Tokyo', ...target], { env, steps: [['Change the time zone to Asia/Tokyo?', 'y\r']] });
    expect(yes.code, yes.screen).toBe(0);
    expect(yes.screen).toContain('Set timezone to Asia/Tokyo');
    expect(await zone()).toBe('Asia/Tokyo');
  });
});
