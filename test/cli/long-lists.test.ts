import fs from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, expect, inject, it } from 'vitest';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { recordAudit } from '../../src/domain/audit/record.js';
import { runCli } from '../support/cli.js';
import { describeBackends, type TestDatabase } from '../support/database.js';
import { appointmentSeeder, makeClinic, makePatient, type Clinic } from '../support/factories.js';
import { hasPty, runOnPty } from '../support/pty.js';

const now = () => new Date('2027-01-15T12:00:00Z');

/** The SQL of every query the database is sent while `action` runs, with its bindings. */
async function queriesDuring(db: TestDatabase, action: () => Promise<unknown>): Promise<Array<{ sql: string; bindings: unknown[] }>> {
  const seen: Array<{ sql: string; bindings: unknown[] }> = [];
  const listener = (query: { sql: string; bindings?: unknown[] }) => seen.push({ sql: query.sql, bindings: query.bindings ?? [] });
  db.knex.on('query', listener);
  try {
    await action();
  } finally {
    db.knex.off('query', listener);
  }
  return seen;
}

describeBackends('long lists: 50 rows by default, --limit N, --all', (db) => {
  let clinic: Clinic;

  beforeAll(async () => {
    clinic = await makeClinic(db().knex, 'UTC');
    const seed = appointmentSeeder(() => db().knex);
    for (let i = 0; i < 60; i++) await seed({ patient: clinic.patient, doctor: clinic.doctor, status: 'APPROVED' });
    for (let i = 0; i < 58; i++) await makePatient(db().knex, { username: `many${String(i).padStart(2, '0')}` });
    for (let i = 0; i < 60; i++) await recordAudit(db().knex, clinic.admin, { action: 'test.filler', entity: 'settings', entityId: String(i) });
  });

  const cli = (args: string[]) => runCli(args, { database: db().database, actor: clinic.admin, now });

  it.each([
    ['appointments', 60, 'appointments'],
    ['patients', 60, 'patients'],
  ] as const)('%s list: 50 rows, then a line on stderr with the count left out and how to see them', async (noun, total, word) => {
    const result = await cli([noun, 'list']);
    expect(result.code, result.stderr).toBe(0);
    // a table: two rules, a header and one line per row
    expect(result.stdout.trimEnd().split('\n')).toHaveLength(50 + 3);
    expect(result.stderr).toContain(`Showing 50 of ${total} ${word}; ${total - 50} more. See more with --limit N, or all with --all.`);
  });

  it('audit list: 50 entries by default, the rest counted', async () => {
    const total = Number((await db().knex('audit_log').count<Array<{ n: string }>>({ n: '*' }))[0]!.n);
    const result = await cli(['audit', 'list']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Showing 50 of ${total} audit entries`);
  });

  it('--json: the same default page (as gh), and stderr stays empty', async () => {
    for (const noun of ['appointments', 'patients', 'audit']) {
      const result = await cli([noun, 'list', '--json']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.json<unknown[]>()).toHaveLength(50);
      expect(result.stderr).toBe('');
    }
  });

  it('--limit N and --all show more; no line when nothing is left out', async () => {
    const limited = await cli(['appointments', 'list', '--json', '--limit', '55']);
    expect(limited.json<unknown[]>()).toHaveLength(55);
    const all = await cli(['appointments', 'list', '--all']);
    expect(all.stdout.trimEnd().split('\n')).toHaveLength(60 + 3);
    expect(all.stderr).toBe('');
    expect((await cli(['patients', 'list', '--all', '--json'])).json<unknown[]>()).toHaveLength(60);
    const audited = Number((await db().knex('audit_log').count<Array<{ n: string }>>({ n: '*' }))[0]!.n);
    expect(audited).toBeGreaterThan(50);
    expect((await cli(['audit', 'list', '--all', '--json'])).json<unknown[]>()).toHaveLength(audited);
    const few = await cli(['appointments', 'list', '--limit', '60']);
    expect(few.stderr).toBe('');
  });

  it('--limit and --all together is a usage error (exit 2)', async () => {
    const result = await cli(['appointments', 'list', '--limit', '5', '--all']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--all');
  });

  it('the database is asked for one row more than the page, then for a count: never for every row', async () => {
    const queries = await queriesDuring(db(), () => cli(['appointments', 'list', '--json']));
    const listing = queries.filter((query) => /from "appointments" as "a"/i.test(query.sql) && /limit/i.test(query.sql));
    expect(listing).toHaveLength(1);
    expect(listing[0]!.bindings.at(-1)).toBe(51);
    expect(queries.some((query) => /count\(\*\)/i.test(query.sql) && /from "appointments"/i.test(query.sql))).toBe(true);
    // a page that is not cut short needs no count
    const short = await queriesDuring(db(), () => cli(['appointments', 'list', '--json', '--limit', '100']));
    expect(short.some((query) => /count\(\*\)/i.test(query.sql) && /from "appointments"/i.test(query.sql))).toBe(false);
  });

  it('messages inbox, sent and thread: the newest 50 by default, the thread still oldest first', async () => {
    const sent = Date.parse('2027-01-10T08:00:00Z');
    await db()
      .knex('messages')
      .insert(
        Array.from({ length: 60 }, (_, i) => ({
          sender_id: clinic.staff.id,
          receiver_id: clinic.admin.id,
          content: `note ${i + 1}`,
          created_at: new Date(sent + i * 60_000),
        })),
      );
    const inbox = await cli(['messages', 'inbox']);
    expect(inbox.code, inbox.stderr).toBe(0);
    expect(inbox.stderr).toContain('Showing 50 of 60 messages; 10 more. See more with --limit N, or all with --all.');
    const newest = await cli(['messages', 'inbox', '--json']);
    expect(newest.json<Array<{ content: string }>>().map((message) => message.content)).toEqual(Array.from({ length: 50 }, (_, i) => `note ${60 - i}`));
    expect(newest.stderr).toBe('');
    expect((await cli(['messages', 'inbox', '--all', '--json'])).json<unknown[]>()).toHaveLength(60);
    expect((await cli(['messages', 'inbox', '--unread', '--limit', '5', '--json'])).json<unknown[]>()).toHaveLength(5);

    const asStaff = (args: string[]) => runCli(args, { database: db().database, actor: clinic.staff, now });
    const outbox = await asStaff(['messages', 'sent', '--limit', '7', '--json']);
    expect(outbox.json<Array<{ content: string }>>().map((message) => message.content)[0]).toBe('note 60');
    expect(outbox.json<unknown[]>()).toHaveLength(7);

    // A conversation shows its latest page, read top to bottom as it happened.
    const thread = await asStaff(['messages', 'thread', clinic.admin.username, '--json']);
    expect(thread.json<Array<{ content: string }>>().map((message) => message.content)).toEqual(Array.from({ length: 50 }, (_, i) => `note ${i + 11}`));
    const whole = await asStaff(['messages', 'thread', clinic.admin.username]);
    expect(whole.stderr).toContain('Showing 50 of 60 messages');
    expect((await asStaff(['messages', 'thread', clinic.admin.username, '--all', '--json'])).json<unknown[]>()).toHaveLength(60);
    const queries = await queriesDuring(db(), () => cli(['messages', 'inbox', '--json']));
    const listing = queries.filter((query) => /from "messages"/i.test(query.sql) && /limit/i.test(query.sql));
    expect(listing).toHaveLength(1);
    expect(listing[0]!.bindings.at(-1)).toBe(51);
  });
});

describeBackends('the pager, on a real terminal', (db) => {
  let clinic: Clinic;
  let env: NodeJS.ProcessEnv;
  let target: string[];
  let dir: string;

  beforeAll(async () => {
    clinic = await makeClinic(db().knex, 'UTC');
    const seed = appointmentSeeder(() => db().knex, Date.parse('2099-02-01T09:00:00Z'));
    for (let i = 0; i < 30; i++) await seed({ patient: clinic.patient, doctor: clinic.doctor, status: 'APPROVED' });
    env = { CLINIC_TOKEN: (await createApiToken(db().context(clinic.admin), { name: 'pager' })).token, NO_COLOR: '1' };
    const where = db().target;
    target = where.backend === 'embedded' ? ['--data-dir', where.dataDir] : ['--database-url', where.url];
    dir = await fs.mkdtemp(path.join(inject('testRoot'), 'clinic-pager-')); // the run's root, which the teardown removes
    // A pager that says it ran, how many lines it was given, and whether its stdout is the terminal.
    await fs.writeFile(path.join(dir, 'pager.sh'), '#!/bin/sh\nn=$(wc -l)\nif [ -t 1 ]; then t=tty; else t=notty; fi\necho "PAGER-RAN lines=$n $t"\n', {
      mode: 0o755,
    });
  });

  it.skipIf(!hasPty)('output longer than the screen goes through $PAGER; shorter output, --no-pager and PAGER= do not', async () => {
    const pager = path.join(dir, 'pager.sh');
    const long = runOnPty(['appointments', 'list', ...target], { env: { ...env, PAGER: pager }, rows: 20 });
    expect(long.code, long.screen).toBe(0);
    expect(long.screen).toContain(`PAGER-RAN lines=${30 + 3} tty`);
    // The first row's time marks the table (on a terminal, the DATE every row shares is left out).
    expect(long.screen).not.toContain('09:00-09:30');
    const tall = runOnPty(['appointments', 'list', ...target], { env: { ...env, PAGER: pager }, rows: 60 });
    expect(tall.screen).not.toContain('PAGER-RAN');
    expect(tall.screen).toContain('09:00-09:30');
    for (const off of [
      { args: ['--no-pager'], env: { PAGER: pager } },
      { args: [], env: { PAGER: '' } },
    ]) {
      const unpaged = runOnPty(['appointments', 'list', ...off.args, ...target], { env: { ...env, ...off.env }, rows: 20 });
      expect(unpaged.screen).not.toContain('PAGER-RAN');
      expect(unpaged.screen).toContain('09:00-09:30');
    }
  });

  it.skipIf(!hasPty)('without PAGER: less -FRX, which waits for "q" on long output', async () => {
    // Half-hour rows from 09:00: a 20-row screen shows the first ones; 23:30, the last, only after scrolling.
    const result = runOnPty(['appointments', 'list', ...target], { env, rows: 20, steps: [['09:00-09:30', 'q']] });
    expect(result.code, result.screen).toBe(0);
    expect(result.screen).toContain('09:00-09:30');
    expect(result.screen).not.toContain('23:30-');
    const direct = runOnPty(['appointments', 'list', '--no-pager', ...target], { env, rows: 20 });
    expect(direct.screen).toContain('23:30-');
  });

  it.skipIf(!hasPty)("Ctrl-C in the pager is the pager's (as in git): quitting it after one ends the command normally", async () => {
    const result = runOnPty(['appointments', 'list', ...target], {
      env,
      rows: 20,
      steps: [
        ['09:00-09:30', '\x03'],
        // less drops what is typed while it handles the Ctrl-C, for longer on a loaded machine: q
        // comes after it has settled, and again every 2 s until the command ends
        ['09:00-09:30', 'q', 1_000, 2_000],
      ],
    });
    expect(result.code, result.screen).toBe(0);
    expect(result.screen).not.toMatch(/Interrupted/i);
  });

  it('never when stdout is not a terminal: the table is written as is', async () => {
    const result = await runCli(['appointments', 'list'], { database: db().database, actor: clinic.admin, env: { PAGER: path.join(dir, 'pager.sh') } });
    expect(result.stdout).toContain('2099-02-01');
    expect(result.stdout).not.toContain('PAGER-RAN');
  });
});
