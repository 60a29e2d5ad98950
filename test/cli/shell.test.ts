import { beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { runCli } from '../support/cli.js';
import { insertActor } from '../support/factories.js';
import { describeBackends } from '../support/database.js';

describe('CLI shell without a database', () => {
  it('lists every noun in --help and exits 0', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const noun of ['users', 'doctors', 'patients', 'appointments', 'messages', 'db', 'settings']) {
      expect(result.stdout).toMatch(new RegExp(`^  ${noun}\\b`, 'm'));
    }
  });

  it('treats an unknown option as a usage error (exit 2) and says so on stderr', async () => {
    const result = await runCli(['db', 'status', '--frobnicate']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/unknown option '--frobnicate'/);
  });

  it('reports usage errors as JSON on stderr with --json', async () => {
    const result = await runCli(['settings', 'set', 'timezone', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'USAGE', message: expect.stringContaining("missing required argument 'value'"), remedy: "See 'clinic settings set --help'." },
    });
  });
});

describeBackends('settings through the CLI', (db) => {
  let admin: Actor;
  let staff: Actor;

  beforeAll(async () => {
    admin = await insertActor(db().knex, 'root.admin', 'admin');
    staff = await insertActor(db().knex, 'front.desk', 'staff');
  });

  it('refuses without a login (exit 4) and names `clinic login`', async () => {
    const result = await runCli(['settings', 'show'], { database: db().database });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('clinic login');
  });

  it('lets an admin set the time zone and shows it as one JSON object', async () => {
    const set = await runCli(['settings', 'set', 'timezone', 'Europe/Lisbon', '--json'], { database: db().database, actor: admin });
    expect(set.code).toBe(0);
    expect(set.json()).toEqual({
      timezone: 'Europe/Lisbon',
      sessionIdleMinutes: 60,
      sessionAbsoluteHours: 12,
      serverIdleMinutes: 10,
      fhirIdentifierSystem: 'urn:clinic:external-id',
    });
    const show = await runCli(['settings', 'show'], { database: db().database, actor: staff });
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/timezone\s+Europe\/Lisbon/);
  });

  it('rejects an unknown time zone with exit 3 and changes nothing', async () => {
    const result = await runCli(['settings', 'set', 'timezone', 'Mars/Olympus_Mons'], { database: db().database, actor: admin });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/Unknown time zone "Mars\/Olympus_Mons"/);
    const show = await runCli(['settings', 'show', '--json'], { database: db().database, actor: admin });
    expect(show.json()).toMatchObject({ timezone: 'Europe/Lisbon' });
  });

  it('forbids staff from changing settings (exit 5) and audits the denial', async () => {
    const result = await runCli(['settings', 'set', 'session-idle-minutes', '5'], { database: db().database, actor: staff });
    expect(result.code).toBe(5);
    const denied = await db().knex('audit_log').where({ action: 'settings.update', outcome: 'denied', actor: 'front.desk' });
    expect(denied).toHaveLength(1);
  });

  it('validates numeric settings', async () => {
    const result = await runCli(['settings', 'set', 'session-idle-minutes', 'soon', '--json'], { database: db().database, actor: admin });
    expect(result.code).toBe(3);
    expect(JSON.parse(result.stderr).error.code).toBe('INVALID_INPUT');
  });

  it('prints db status as exactly one JSON value', async () => {
    const result = await runCli(['db', 'status', '--json'], { database: db().database });
    expect(result.code).toBe(0);
    expect(result.json()).toMatchObject({ backend: db().backend, pending: [], upToDate: true });
  });
});
