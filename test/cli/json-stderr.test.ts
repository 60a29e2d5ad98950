import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { storeInitialTimeZone } from '../../src/domain/settings/service.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { insertActor } from '../support/factories.js';

/**
 * DESIGN §4: with --json, stdout holds the one value and stderr stays empty on success; notices
 * and warnings are for people, so --json (and -q) silence them too.
 */
describeBackends('stderr of a successful --json run', (db) => {
  let admin: Actor;

  beforeAll(async () => {
    await storeInitialTimeZone(db().knex, 'UTC');
    admin = await insertActor(db().knex, 'json.admin', 'admin');
  });
  const as = (args: string[]) => runCli(args, { database: db().database, actor: admin });

  it('tokens create --json: the token in the value, nothing on stderr', async () => {
    const result = await as(['tokens', 'create', '--name', 'quiet-please', '--json']);
    expect(result.code).toBe(0);
    expect(result.json<{ token: string }>().token).toMatch(/\S{20,}/);
    expect(result.stderr).toBe('');
    const human = await as(['tokens', 'create', '--name', 'for-people']);
    expect(human.stderr).toContain('Copy it now');
  });

  it('users create without a password: the warning for people only, not with --json or -q', async () => {
    const json = await as(['users', 'create', '--username', 'json.nopw', '--name', 'N', '--role', 'staff', '--json']);
    expect(json.code).toBe(0);
    expect(json.json<{ username: string }>().username).toBe('json.nopw');
    expect(json.stderr).toBe('');
    const quiet = await as(['users', 'create', '--username', 'quiet.nopw', '--name', 'N', '--role', 'staff', '-q']);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe('');
    const human = await as(['users', 'create', '--username', 'human.nopw', '--name', 'N', '--role', 'staff']);
    expect(human.stderr).toContain('No password set: human.nopw cannot log in');
  });
});

describeBackends('whoami on the clinic wall clock', (db) => {
  it("shows when the token ends in the clinic's time zone, as every instant a person reads", async () => {
    await storeInitialTimeZone(db().knex, 'America/New_York');
    const admin = await insertActor(db().knex, 'clock.admin', 'admin');
    const now = new Date('2030-06-03T15:00:00Z');
    const { token } = await createApiToken(
      db().context(admin, () => now),
      { name: 'clock', expiresIn: '1d' },
    );
    const result = await runCli(['whoami'], { database: db().database, env: { CLINIC_TOKEN: token }, now: () => now });
    expect(result.code, result.stderr).toBe(0);
    // 2030-06-04 15:00 UTC is 11:00 in New York (EDT); the UTC form would say "15:00 UTC".
    expect(result.stdout).toMatch(/token expires\s+2030-06-04 11:00\n/);
  });
});
