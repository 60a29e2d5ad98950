import { expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { configHome } from '../identity/helpers.js';

interface InitSummary {
  admin: { username: string; role: string };
  demo: { doctors: number; patients: number; accounts: Array<{ username: string; role: string; password: string }> };
}

describeBackends('init --demo', (db) => {
  const env = configHome();
  let adminPassword = '';

  it('without a terminal: admin `admin` with a generated password, the demo clinic, and logins that work', async () => {
    const init = await runCli(['init', '--demo', '--timezone', 'Europe/Lisbon', '--json'], { database: db().database, env: env() });
    expect(init.code, init.stderr).toBe(0);
    const summary = init.json<InitSummary>();
    adminPassword = summary.demo.accounts.find((account) => account.role === 'admin')?.password ?? '';
    expect(summary.admin).toMatchObject({ username: 'admin', role: 'admin' });
    expect(summary.demo.doctors).toBeGreaterThan(0);
    expect(summary.demo.patients).toBeGreaterThan(0);
    const roles = summary.demo.accounts.map((account) => account.role).sort();
    expect(roles).toEqual(['admin', 'doctor', 'patient', 'staff']);
    const passwords = new Set(summary.demo.accounts.map((account) => account.password));
    expect(passwords.size).toBe(summary.demo.accounts.length);

    // The terminal is the admin's; every printed account can log in with its printed password.
    expect((await runCli(['whoami', '--json'], { database: db().database, env: env() })).json()).toMatchObject({ username: 'admin' });
    for (const account of summary.demo.accounts) {
      const login = await runCli(['login', '--username', account.username, '--password-stdin'], {
        database: db().database,
        env: env(),
        stdin: `${account.password}\n`,
      });
      expect(login.code, `${account.username}: ${login.stderr}`).toBe(0);
    }
    const appointments = await db().knex('appointments').count<{ n: number }[]>({ n: '*' });
    expect(Number(appointments[0]!.n)).toBeGreaterThan(0);
    // Its visits never overlap a doctor's or a patient's other visit: its own import rejects none.
    const imported = await db().knex('audit_log').where({ action: 'appointments.import' }).first();
    expect(imported.details).toMatchObject({ source: 'demo clinic', rejected: 0, imported: Number(appointments[0]!.n) });
  });

  it("the people the help's examples act on are the demo's, and its examples work on it", async () => {
    const commands = [
      ['patients', 'show'],
      ['patients', 'update'],
      ['patients', 'assign'],
      ['patients', 'list'],
      ['appointments', 'book'],
      ['appointments', 'list'],
      ['appointments', 'agenda'],
      ['waitlist', 'add'],
      ['messages', 'send'],
      ['audit', 'list'],
    ];
    const named = new Set<string>();
    for (const command of commands) {
      const help = await runCli([...command, '--help'], { database: db().database, env: env() });
      for (const match of help.stdout.matchAll(/\b(?:pt\.[a-z]+\.[a-z]+|dr\.[a-z]+)\b/g)) named.add(match[0]);
    }
    expect(named.size).toBeGreaterThan(1);
    const users = await db()
      .knex('users')
      .whereIn('username', [...named])
      .pluck('username');
    expect(users.sort()).toEqual([...named].sort());
    // The front desk's view: the first test left the patient logged in.
    const login = await runCli(['login', '--username', 'admin', '--password-stdin'], { database: db().database, env: env(), stdin: `${adminPassword}\n` });
    expect(login.code, login.stderr).toBe(0);
    for (const example of [
      ['appointments', 'book', '--patient', 'pt.ana.quinn', '--doctor', 'dr.silva', '--next-available', '--approve', '--json'],
      ['patients', 'assign', 'pt.ana.quinn', 'dr.tanaka', '--json'],
      ['waitlist', 'add', '--patient', 'pt.ana.quinn', '--doctor', 'dr.silva', '--times', '10:00-13:00', '--days', 'tue,thu', '--json'],
    ]) {
      const result = await runCli(example, { database: db().database, env: env() });
      expect(result.code, `${example.join(' ')}: ${result.stderr}`).toBe(0);
    }
    // patients list's: the front desk finds the same patient by date of birth and by phone number.
    for (const search of ['1974-05-15', '555 0118']) {
      const found = await runCli(['patients', 'list', '--search', search, '--json'], { database: db().database, env: env() });
      expect(
        found.json<Array<{ username: string }>>().map((patient) => patient.username),
        search,
      ).toEqual(['pt.ana.quinn']);
    }
  });

  it('refuses a second init (exit 7) and a demo in production', async () => {
    expect((await runCli(['init', '--demo'], { database: db().database, env: env() })).code).toBe(7);
    const production = await runCli(['init', '--demo'], { database: db().database, env: { ...env(), CLINIC_ENV: 'production' } });
    expect(production.code).toBe(5);
    expect(production.stderr).toContain('production');
  });
});
