import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sessionFilePath } from '../../src/cli/session-store.js';
import { runCli, type CliResult } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { dumpAllTables, STACK_FRAME } from './helpers.js';

/**
 * No raw password or token is ever stored or shown: every table is dumped as text and searched for
 * the passwords and tokens this test used, and so is everything every command printed (with and
 * without --debug). Session files are private, and a readable one is refused.
 */
const ADMIN_PASSWORD = 'quartz-lantern-Orchid-47';
const STAFF_PASSWORD = 'velvet Monsoon harbor 9182';
const STAFF_NEW_PASSWORD = 'glacier-Tambourine-copper-55';
const WRONG_PASSWORD = 'wrong-but-Distinctive-3391';
const WEAK_PASSWORD = 'password12';
const MESSAGE_BODY = 'Confidential: biopsy result 7731-XQ';

describeBackends('secrets never stored or shown', (db) => {
  let home: string;
  const outputs: Array<{ args: string[]; result: CliResult; mayShowToken?: boolean }> = [];
  const tokens: string[] = [];
  const sessionTokens: string[] = [];

  const clinic = async (args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; mayShowToken?: boolean } = {}) => {
    const result = await runCli(args, {
      database: db().database,
      env: { XDG_CONFIG_HOME: home, ...options.env },
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
    });
    outputs.push({ args, result, mayShowToken: options.mayShowToken ?? false });
    return result;
  };
  const sessionToken = async () => JSON.parse(await fs.readFile(sessionFilePath({ XDG_CONFIG_HOME: home }, db().target), 'utf8')).token as string;

  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-secrets-'));
  });
  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  it('runs a working day of identity commands, the failing ones with --debug', async () => {
    expect(
      (await clinic(['init', '--timezone', 'Europe/Lisbon', '--admin-username', 'boss', '--admin-password-stdin'], { stdin: `${ADMIN_PASSWORD}\n` })).code,
    ).toBe(0);
    sessionTokens.push(await sessionToken());
    expect(
      (await clinic(['users', 'create', '--username', 'clerk', '--name', 'Clerk', '--role', 'staff', '--password-stdin'], { stdin: `${STAFF_PASSWORD}\n` }))
        .code,
    ).toBe(0);
    // a weak password is refused without being echoed, even with --debug
    expect(
      (
        await clinic(['users', 'create', '--debug', '--username', 'weakling', '--name', 'Weak', '--role', 'staff', '--password-stdin'], {
          stdin: `${WEAK_PASSWORD}\n`,
        })
      ).code,
    ).toBe(3);
    const created = await clinic(['tokens', 'create', '--name', 'ci', '--json'], { mayShowToken: true });
    expect(created.code, created.stderr).toBe(0);
    tokens.push(created.json<{ token: string }>().token);
    const plain = await clinic(['tokens', 'create', '--name', 'nightly'], { mayShowToken: true });
    expect(plain.code).toBe(0);
    tokens.push(plain.stdout.trim());
    expect(tokens.every((token) => token.length >= 32)).toBe(true);

    // the token works, and a wrong one is refused without being echoed
    expect((await clinic(['whoami', '--json'], { env: { CLINIC_TOKEN: tokens[0]! } })).code).toBe(0);
    const forged = `${tokens[0]!.slice(0, -4)}ZZZZ`;
    tokens.push(forged);
    expect((await clinic(['whoami', '--debug'], { env: { CLINIC_TOKEN: forged } })).code).toBe(4);
    expect((await clinic(['whoami', '--debug', '--json'], { env: { CLINIC_TOKEN: forged } })).code).toBe(4);

    expect((await clinic(['messages', 'send', '--to', 'clerk', '--body', MESSAGE_BODY])).code).toBe(0);
    expect((await clinic(['users', 'passwd', 'clerk', '--password-stdin'], { stdin: `${STAFF_NEW_PASSWORD}\n` })).code).toBe(0);
    expect((await clinic(['logout'])).code).toBe(0);

    // failed logins: unknown user, wrong password, old password; all with --debug
    expect((await clinic(['login', '--debug', '--username', 'clerk', '--password-stdin'], { stdin: `${WRONG_PASSWORD}\n` })).code).toBe(4);
    expect((await clinic(['login', '--debug', '--json', '--username', 'nobody', '--password-stdin'], { stdin: `${WRONG_PASSWORD}\n` })).code).toBe(4);
    expect((await clinic(['login', '--debug', '--username', 'clerk', '--password-stdin'], { stdin: `${STAFF_PASSWORD}\n` })).code).toBe(4);
    expect((await clinic(['login', '--username', 'clerk', '--password-stdin'], { stdin: `${STAFF_NEW_PASSWORD}\n` })).code).toBe(0);
    sessionTokens.push(await sessionToken());
    expect((await clinic(['whoami'])).code).toBe(0);
    expect((await clinic(['messages', 'inbox', '--json'])).code).toBe(0);
    // the staff member changes their own password (current then new, both on stdin)
    expect((await clinic(['users', 'passwd', '--debug', '--password-stdin'], { stdin: `${WRONG_PASSWORD}\n${STAFF_PASSWORD}\n` })).code).not.toBe(0);
    expect((await clinic(['login', '--username', 'boss', '--password-stdin'], { stdin: `${ADMIN_PASSWORD}\n` })).code).toBe(0);
    sessionTokens.push(await sessionToken());
    expect((await clinic(['audit', 'list', '--json', '--limit', '500'])).code).toBe(0);
    expect((await clinic(['tokens', 'list', '--json'])).code).toBe(0);
    expect(sessionTokens.every((token) => token.length >= 32)).toBe(true);
  });

  it('no table holds a raw password, token or session token; the audit log holds no message body', async () => {
    const dump = await dumpAllTables(db().knex);
    expect(Object.keys(dump)).toEqual(expect.arrayContaining(['users', 'sessions', 'api_tokens', 'audit_log', 'messages']));
    const everything = Object.values(dump).join('\n');
    for (const secret of [ADMIN_PASSWORD, STAFF_PASSWORD, STAFF_NEW_PASSWORD, WRONG_PASSWORD, WEAK_PASSWORD, ...tokens, ...sessionTokens]) {
      expect(everything.includes(secret), `a raw secret is stored: ${secret.slice(0, 6)}…`).toBe(false);
    }
    expect(dump.audit_log!.includes(MESSAGE_BODY)).toBe(false);
    expect(dump.audit_log!.split('\n').length).toBeGreaterThanOrEqual(10);
    // the password hashes are bcrypt at cost 12
    const hashes = await db().knex('users').whereNotNull('password_hash').pluck<string[]>('password_hash');
    expect(hashes.length).toBe(2);
    for (const hash of hashes) expect(hash).toMatch(/^\$2[aby]\$12\$/);
  });

  it('no output shows a password, and a token only on the one run that created it', () => {
    expect(outputs.length).toBeGreaterThanOrEqual(18);
    for (const { args, result, mayShowToken } of outputs) {
      const text = `${result.stdout}\n${result.stderr}`;
      for (const secret of [ADMIN_PASSWORD, STAFF_PASSWORD, STAFF_NEW_PASSWORD, WRONG_PASSWORD, WEAK_PASSWORD, ...sessionTokens]) {
        expect(text.includes(secret), `clinic ${args.join(' ')} printed a secret`).toBe(false);
      }
      const shown = tokens.filter((token) => text.includes(token));
      expect(shown.length, `clinic ${args.join(' ')} printed a token`).toBe(mayShowToken ? 1 : 0);
      if (!args.includes('--debug')) expect(result.stderr).not.toMatch(STACK_FRAME);
    }
  });

  it('keeps the session file 0600 in a 0700 directory, and refuses a group- or world-readable one (exit 4)', async () => {
    const file = sessionFilePath({ XDG_CONFIG_HOME: home }, db().target);
    expect((await fs.stat(file)).mode & 0o777).toBe(0o600);
    expect((await fs.stat(path.dirname(file))).mode & 0o777).toBe(0o700);
    expect((await fs.stat(path.dirname(path.dirname(file)))).mode & 0o777).toBe(0o700);
    for (const mode of [0o640, 0o604, 0o644, 0o660]) {
      await fs.chmod(file, mode);
      const result = await clinic(['whoami']);
      expect(result.code, `mode ${mode.toString(8)}`).toBe(4);
      expect(result.stderr).toMatch(/read by other users/);
      expect(result.stdout).toBe('');
    }
    await fs.chmod(file, 0o600);
    expect((await clinic(['whoami'])).code).toBe(0);
  });
});
