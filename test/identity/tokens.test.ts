import { beforeAll, expect, it } from 'vitest';
import type { Actor } from '../../src/domain/policy.js';
import { parseExpiresIn } from '../../src/domain/identity/api-tokens.js';
import { makeAdmin, makeStaff } from '../support/factories.js';
import { describeBackends } from '../support/database.js';
import { runCli } from '../support/cli.js';
import { configHome, manualClock, terminal } from './helpers.js';

const TOKEN_FIELDS = ['id', 'name', 'userId', 'user', 'status', 'createdAt', 'expiresAt', 'lastUsedAt', 'revokedAt'].sort();

it('reads token lifetimes in hours, days and weeks, or never', () => {
  const now = new Date('2030-01-01T00:00:00Z');
  expect(parseExpiresIn('12h', now)?.toISOString()).toBe('2030-01-01T12:00:00.000Z');
  expect(parseExpiresIn('30d', now)?.toISOString()).toBe('2030-01-31T00:00:00.000Z');
  expect(parseExpiresIn('2w', now)?.toISOString()).toBe('2030-01-15T00:00:00.000Z');
  expect(parseExpiresIn('never', now)).toBeNull();
  for (const bad of ['0d', '-1d', '90', 'tomorrow', '99999w']) expect(() => parseExpiresIn(bad, now)).toThrow(/--expires-in/);
});

describeBackends('API tokens', (db) => {
  const env = configHome();
  const clock = manualClock(new Date('2030-02-01T09:00:00Z'));
  const cli = terminal(() => db().database, env);
  let admin: Actor;
  let staff: Actor;
  let other: Actor;
  const as = (actor: Actor, args: string[]) => runCli(args, { database: db().database, actor, now: clock.now });

  beforeAll(async () => {
    admin = await makeAdmin(db().knex);
    staff = await makeStaff(db().knex);
    other = await makeStaff(db().knex);
  });

  it('creates a token shown once with a recognisable prefix, usable as CLINIC_TOKEN, noting its last use', async () => {
    const created = await as(staff, ['tokens', 'create', '--name', 'nightly import', '--expires-in', '30d', '--json']);
    expect(created.code).toBe(0);
    const body = created.json<{ token: string; id: string; expiresAt: string }>();
    expect(body.token).toMatch(/^clinic_pat_[A-Za-z0-9_-]{43}$/);
    expect(body.expiresAt).toBe(new Date(clock.now().getTime() + 30 * 86_400_000).toISOString());

    const whoami = await cli(['whoami', '--json'], { env: { CLINIC_TOKEN: body.token }, now: clock.now });
    expect(whoami.code).toBe(0);
    expect(whoami.json()).toMatchObject({ username: staff.username, authenticatedBy: 'token', sessionExpiresAt: body.expiresAt });
    const row = await db().knex('api_tokens').where({ id: body.id }).first();
    expect(row.last_used_at.toISOString()).toBe(clock.now().toISOString());

    const list = await as(staff, ['tokens', 'list', '--json']);
    const tokens = list.json<Array<Record<string, unknown>>>();
    expect(tokens).toHaveLength(1);
    expect(Object.keys(tokens[0]!).sort()).toEqual(TOKEN_FIELDS);
    expect(JSON.stringify(tokens)).not.toContain(body.token);
  });

  it('an expired token stops working (exit 4)', async () => {
    const body = (await as(staff, ['tokens', 'create', '--name', 'short', '--expires-in', '1h', '--json'])).json<{ token: string }>();
    expect((await cli(['whoami'], { env: { CLINIC_TOKEN: body.token }, now: clock.now })).code).toBe(0);
    const later = () => new Date(clock.now().getTime() + 2 * 3_600_000);
    const result = await cli(['whoami'], { env: { CLINIC_TOKEN: body.token }, now: later });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('CLINIC_TOKEN');
    expect((await cli(['whoami'], { env: { CLINIC_TOKEN: 'clinic_pat_made-up' } })).code).toBe(4);
  });

  it("tokens for others and everyone's list are for admins; staff get exit 5 and an audited denial", async () => {
    const denied = await as(staff, ['tokens', 'create', '--name', 'sneaky', '--user', other.username]);
    expect(denied.code).toBe(5);
    expect(await db().knex('audit_log').where({ action: 'tokens.manageOthers', outcome: 'denied', actor: staff.username })).not.toHaveLength(0);
    expect((await as(staff, ['tokens', 'list', '--user', other.username])).code).toBe(5);

    const forOther = await as(admin, ['tokens', 'create', '--name', 'for other', '--user', other.username, '--expires-in', 'never', '--json']);
    expect(forOther.code).toBe(0);
    expect(forOther.json()).toMatchObject({ user: other.username, expiresAt: null });
    const all = (await as(admin, ['tokens', 'list', '--json'])).json<Array<{ user: string }>>();
    expect(new Set(all.map((t) => t.user))).toEqual(new Set([staff.username, other.username]));
    const one = (await as(admin, ['tokens', 'list', '--user', other.username, '--json'])).json<Array<{ user: string }>>();
    expect(one.map((t) => t.user)).toEqual([other.username]);
    const own = (await as(staff, ['tokens', 'list', '--json'])).json<Array<{ user: string }>>();
    expect(own.every((t) => t.user === staff.username)).toBe(true);
  });

  it("revokes by id or 8-character prefix: own tokens, or anyone's for an admin", async () => {
    const mine = (await as(staff, ['tokens', 'create', '--name', 'to revoke', '--json'])).json<{ token: string; id: string }>();
    const others = (await as(admin, ['tokens', 'list', '--user', other.username, '--json'])).json<Array<{ id: string }>>()[0]!;
    // Someone else's token looks exactly like an unknown id to a non-admin (no probing of ids).
    const hidden = await as(staff, ['tokens', 'revoke', others.id]);
    const unknown = await as(staff, ['tokens', 'revoke', '00000000-0000-0000-0000-000000000000']);
    expect(hidden.code).toBe(6);
    expect(hidden.stderr.replace(others.id, 'ID')).toBe(unknown.stderr.replace('00000000-0000-0000-0000-000000000000', 'ID'));
    const revoked = await as(staff, ['tokens', 'revoke', mine.id.slice(0, 8), '--json']);
    expect(revoked.code).toBe(0);
    expect(revoked.json()).toMatchObject({ id: mine.id, status: 'revoked' });
    expect((await cli(['whoami'], { env: { CLINIC_TOKEN: mine.token } })).code).toBe(4);
    expect((await as(admin, ['tokens', 'revoke', others.id])).code).toBe(0);
    expect((await as(admin, ['tokens', 'revoke', '00000000-0000-0000-0000-000000000000'])).code).toBe(6);
    expect((await as(admin, ['tokens', 'revoke', 'abc'])).code).toBe(3);
  });
});
