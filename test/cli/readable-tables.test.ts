import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_GLOBALS } from '../../src/cli/globals.js';
import { Output, type Column } from '../../src/cli/output.js';
import { createApiToken } from '../../src/domain/identity/api-tokens.js';
import { recordAudit } from '../../src/domain/audit/record.js';
import { runCli } from '../support/cli.js';
import { describeBackends } from '../support/database.js';
import { makeAppointment, makeClinic, type Clinic } from '../support/factories.js';
import { hasPty, runOnPty } from '../support/pty.js';

type Row = { id: string; status: string; reason: string };
const COLUMNS: ReadonlyArray<Column<Row>> = [
  { header: 'ID', value: (r) => r.id },
  { header: 'STATUS', value: (r) => r.status, status: true },
  { header: 'REASON', value: (r) => r.reason, fit: true },
];

/** An Output writing to a stream that says it is a terminal `columns` wide (the width is all that is read of it here). */
async function terminalOutput(columns: number | undefined, options: { wide?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Output> {
  const stdout = Object.assign(new PassThrough(), columns === undefined ? {} : { isTTY: true, columns });
  return Output.create(
    { stdin: new PassThrough(), stdout, stderr: new PassThrough() },
    { ...DEFAULT_GLOBALS, wide: options.wide === true },
    options.env ?? { NO_COLOR: '1' },
  );
}

const widest = (table: string) => Math.max(...table.split('\n').map((line) => [...line].length));
const LONG = 'a very long reason that goes on and on about the patient’s knee, the weather and the bus';

describe('table width', () => {
  const rows: Row[] = [
    { id: 'a1', status: 'PENDING', reason: LONG },
    { id: 'a2', status: 'APPROVED', reason: 'short' },
    { id: 'a3', status: 'CANCELLED', reason: '日本語の理由はとても長いのでここで切られるはずです、そうでしょう' },
  ];

  it('a table wider than the terminal has its free-text column cut with …, to the terminal width exactly', async () => {
    const table = (await terminalOutput(50)).table(rows, COLUMNS);
    const lines = table.split('\n');
    expect(lines.every((line) => line.length <= 50)).toBe(true);
    expect(lines[0]!.length).toBe(50);
    expect(table).toContain('…');
    expect(table).toContain('a very long reason');
    expect(table).not.toContain('the bus');
    // wide characters count two columns: every line is as wide on screen as the rules
    expect(table).toContain('日本語');
  });

  it('--wide, a pipe (no terminal) and a table that fits are drawn whole', async () => {
    for (const out of [await terminalOutput(50, { wide: true }), await terminalOutput(undefined)]) {
      const table = out.table(rows, COLUMNS);
      expect(table).toContain(LONG);
      expect(widest(table)).toBeGreaterThan(50);
    }
    const fits = (await terminalOutput(200)).table(rows, COLUMNS);
    expect(fits).toContain(LONG);
    expect(fits).not.toContain('…');
  });

  it('at 80 columns a day of appointments keeps whole names: the shared day is left out and the reason gives way first', async () => {
    // The fields APPOINTMENT_COLUMNS reads, as `appointments list --date 2026-12-04` shows them.
    type Visit = { id: string; date: string; timeSlot: string; patient: string; doctor: string; status: string; reason: string };
    const { APPOINTMENT_COLUMNS } = await import('../../src/cli/commands/appointments/render.js');
    const columns = APPOINTMENT_COLUMNS as unknown as ReadonlyArray<Column<Visit>>;
    const visit = (patient: string, reason: string): Visit => ({
      id: 'd1a9f118',
      date: '2026-12-04',
      timeSlot: '10:00-10:30',
      patient,
      doctor: 'dr.okafor',
      status: 'APPROVED',
      reason,
    });
    const day = [visit('pt.dara.jensen', 'Persistent cough for three weeks'), visit('pt.dara.jensen2', 'Follow-up of the blood results')];
    const table = (await terminalOutput(80)).table(day, columns);
    expect(table.split('\n').every((line) => [...line].length <= 80)).toBe(true);
    expect(table).toContain('pt.dara.jensen ');
    expect(table).toContain('pt.dara.jensen2');
    expect(table).toContain('dr.okafor');
    expect(table).not.toContain('DATE');
    // Two days: the date tells rows apart, so it stays (and the names give way only after the reason).
    const twoDays = (await terminalOutput(80)).table([day[0]!, { ...day[1]!, date: '2026-12-05' }], columns);
    expect(twoDays).toContain('DATE');
    expect(twoDays).toContain('2026-12-05');
  });

  it('a column is never cut below its header or 6 columns, even when the table then stays wider', async () => {
    const table = (await terminalOutput(10)).table(rows, COLUMNS);
    expect(table).toContain('REASON');
    expect(table).toContain('│ a ver… │');
  });
});

describe('status colours', () => {
  const rows: Row[] = ['PENDING', 'APPROVED', 'CANCELLED', 'REJECTED', 'NO_SHOW', 'COMPLETED'].map((status, i) => ({ id: String(i), status, reason: '' }));

  it('PENDING yellow, APPROVED green, CANCELLED and REJECTED dim, NO_SHOW red, others plain, when colour is on', async () => {
    const table = (await terminalOutput(200, { env: { FORCE_COLOR: '1' } })).table(rows, COLUMNS);
    expect(table).toContain('\u001b[33mPENDING\u001b[39m');
    expect(table).toContain('\u001b[32mAPPROVED\u001b[39m');
    expect(table).toContain('\u001b[2mCANCELLED\u001b[22m');
    expect(table).toContain('\u001b[2mREJECTED\u001b[22m');
    expect(table).toContain('\u001b[31mNO_SHOW\u001b[39m');
    expect(table).toMatch(/│ COMPLETED +│/);
  });

  it('no escape codes at all with NO_COLOR', async () => {
    const table = (await terminalOutput(200, { env: { NO_COLOR: '1', FORCE_COLOR: '1' } })).table(rows, COLUMNS);
    expect(table).not.toContain('\u001b');
  });
});

describeBackends('instants in human output, on the clinic wall clock', (db) => {
  let clinic: Clinic;

  beforeAll(async () => {
    clinic = await makeClinic(db().knex, 'America/New_York');
    await recordAudit(db().knex, clinic.admin, { action: 'test.moment', entity: 'settings', entityId: 'x' });
    await makeAppointment(db().knex, { patient: clinic.patient, doctor: clinic.doctor, startsAt: '2099-03-09T14:00:00Z', reason: LONG });
  });

  const cli = (args: string[]) => runCli(args, { database: db().database, actor: clinic.admin, now: () => new Date('2026-12-01T12:00:00Z') });

  it('appointments show: starts at 2099-03-09 10:00 (New York), never ISO; --json keeps ISO UTC', async () => {
    const list = (await cli(['appointments', 'list', '--json'])).json<Array<{ id: string }>>();
    const human = await cli(['appointments', 'show', list[0]!.id]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/starts at\s+2099-03-09 10:00\n/);
    expect(human.stdout).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/);
    const json = (await cli(['appointments', 'show', list[0]!.id, '--json'])).json<{ startsAt: string }>();
    expect(json.startsAt).toBe('2099-03-09T14:00:00.000Z');
  });

  it('audit list: the AT column as YYYY-MM-DD HH:MM in the clinic zone, no milliseconds', async () => {
    const result = await cli(['audit', 'list', '--action', 'test.moment']);
    expect(result.code, result.stderr).toBe(0);
    const at = (await db().knex('audit_log').where({ action: 'test.moment' }).first()).at as Date;
    const expected = new Intl.DateTimeFormat('sv-SE', { timeZone: 'America/New_York', dateStyle: 'short', timeStyle: 'short' }).format(at);
    expect(result.stdout).toContain(`│ ${expected} │`);
    expect(result.stdout).not.toMatch(/\d{2}:\d{2}:\d{2}\.\d{3}Z/);
    expect(result.stdout.split('\n')[1]).toMatch(/│ ID +│ AT +│ ACTOR/);
  });

  it('tokens create says when the token expires on the clinic wall clock', async () => {
    const result = await cli(['tokens', 'create', '--name', 'ci', '--expires-in', '30d']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/expiring 2026-12-31 0[67]:00\./);
  });

  it.skipIf(!hasPty)('on a real 80-column terminal the appointments table fits; --wide does not cut it', async () => {
    const token = (await createApiToken(db().context(clinic.admin), { name: 'width' })).token;
    const where = db().target;
    const target = where.backend === 'embedded' ? ['--data-dir', where.dataDir] : ['--database-url', where.url];
    const env = { CLINIC_TOKEN: token, NO_COLOR: '1', PAGER: '' };
    const narrow = runOnPty(['appointments', 'list', '--from', '2099-03-01', ...target], { env, columns: 80 });
    expect(narrow.code, narrow.screen).toBe(0);
    const tableLines = narrow.screen.split(/\r?\n/).filter((line) => line.startsWith('│') || line.startsWith('┌'));
    expect(tableLines.length).toBeGreaterThan(2);
    for (const line of tableLines) expect([...line].length).toBeLessThanOrEqual(80);
    expect(narrow.screen).toContain('…');
    const wide = runOnPty(['appointments', 'list', '--from', '2099-03-01', '--wide', ...target], { env, columns: 80 });
    expect(wide.screen.replace(/\r?\n/g, '')).toContain(LONG);
  });
});
