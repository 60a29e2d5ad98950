import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { upsertSetting } from '../../src/db/repositories/settings.js';
import { appointmentsCli, booker, MONDAY, TUESDAY, NOW } from '../appointments/helpers.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, describeBackends, type TestDatabase } from '../support/database.js';
import { makeAdmin, makeClinic, type Clinic } from '../support/factories.js';

const now = () => NOW;
const sorted = (text: string) => text.split('\n').sort().join('\n');

describeBackends('clinic export / import', (db) => {
  const cli = appointmentsCli(db);
  const book = booker(db);
  const fresh: TestDatabase[] = [];
  let c: Clinic;
  let dir: string;
  let rescheduledId: string;
  let cancelledId: string;

  // An empty clinic to import into. The one before it is dropped first (each test is done with
  // it by then): embedded, that drop empties it for reuse, so the next one costs no server start.
  const newDatabase = async () => {
    for (const previous of fresh.splice(0)) await previous.drop();
    const made = await createTestDatabase(db().backend);
    fresh.push(made);
    return made;
  };
  const exportOf = (database: TestDatabase, args: string[] = []) => runCli(['export', ...args], { database: database.database, now });
  const importInto = (database: TestDatabase, source: string, stdin?: string) =>
    runCli(['import', source, '--json'], { database: database.database, now, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-transfer-'));
    const seeded = await runCli(['db', 'seed', '--demo', '--json'], { database: db().database, now });
    expect(seeded.code, seeded.stderr).toBe(0);
    c = await makeClinic(db().knex);
    await upsertSetting(db().knex, 'timezone', 'Europe/Lisbon', c.admin.id);
    const first = await book(c.staff, {
      patient: c.patient,
      doctor: c.doctor,
      date: MONDAY,
      time: '09:00',
      extra: ['--idempotency-key', 'desk-1', '--reason', 'Ünïcode ✓ "quoted"'],
    });
    const moved = await cli(c.staff, ['reschedule', '--json', first.id, '--date', TUESDAY, '--time', '10:00']);
    expect(moved.code, moved.stderr).toBe(0);
    rescheduledId = first.id;
    const other = await book(c.staff, { patient: c.otherPatient, doctor: c.otherDoctor, date: MONDAY, time: '11:00' });
    const cancelled = await cli(c.staff, ['cancel', '--json', other.id, '--reason', 'patient called']);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    cancelledId = other.id;
    const sent = await runCli(['messages', 'send', '--to', c.doctor.username, '--body', 'hello', '--json'], { database: db().database, actor: c.patient, now });
    expect(sent.code, sent.stderr).toBe(0);
  });
  afterAll(async () => {
    for (const made of fresh) await made.drop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('export → import into an empty clinic → export gives identical output, byte for byte', async () => {
    const first = await exportOf(db());
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toBe('');
    const target = await newDatabase();
    const imported = await importInto(target, '-', first.stdout);
    expect(imported.code, imported.stderr).toBe(0);
    const second = await exportOf(target);
    expect(second.code, second.stderr).toBe(0);
    expect(sorted(second.stdout)).toBe(sorted(first.stdout));
    expect(second.stdout).toBe(first.stdout);

    const lines = first.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines[0]).toMatchObject({ format: 'clinic-export', version: 1, credentials: false });
    const rows = (table: string) => lines.filter((line) => line.table === table).map((line) => line.row);
    for (const table of [
      'users',
      'settings',
      'doctors',
      'doctor_hours',
      'patients',
      'doctor_patients',
      'appointments',
      'messages',
      'audit_log',
      'audit_log_chain_head',
    ]) {
      expect(rows(table).length, table).toBeGreaterThan(0);
    }
    expect(rows('users').every((user) => !('passwordHash' in user))).toBe(true);
    expect(rows('api_tokens')).toEqual([]);
    const byId = new Map(rows('appointments').map((row) => [row.id, row]));
    expect(byId.get(rescheduledId)).toMatchObject({ status: 'CANCELLED', externalId: 'desk-1', reason: 'Ünïcode ✓ "quoted"' });
    expect([...byId.values()].some((row) => row.rescheduledFromId === rescheduledId)).toBe(true);
    expect(byId.get(cancelledId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'patient called' });
    expect(rows('messages').some((row) => row.content === 'hello')).toBe(true);

    const verified = await runCli(['audit', 'verify', '--json'], { database: target.database, actor: await makeAdminOn(target), now });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.json<{ ok: boolean }>().ok).toBe(true);
  });

  it('--format json and --output DIR round-trip the same rows; files are private', async () => {
    const reference = await exportOf(db());
    for (const [args, output] of [
      [['--format', 'json'], path.join(dir, 'clinic.json')],
      [[], path.join(dir, 'clinic.ndjson')],
      [[], path.join(dir, 'tables/')],
      [['--format', 'json'], path.join(dir, 'tables-json/')],
    ] as const) {
      const written = await exportOf(db(), [...args, '--output', output]);
      expect(written.code, written.stderr).toBe(0);
      const stat = await fs.stat(output);
      expect(stat.mode & 0o077, output).toBe(0);
      const target = await newDatabase();
      const imported = await importInto(target, output);
      expect(imported.code, `${output}: ${imported.stderr}`).toBe(0);
      const again = await exportOf(target);
      // The reference export's own audit row ("clinic.export") came after its reading, and so do these.
      const withoutExports = (text: string) =>
        sorted(
          text
            .split('\n')
            .filter((line) => !line.includes('"action":"clinic.export"') && !line.includes('audit_log_chain_head'))
            .join('\n'),
        );
      expect(withoutExports(again.stdout)).toBe(withoutExports(reference.stdout));
    }
  });

  it('--include-credentials adds the bcrypt hashes, and nothing else', async () => {
    const withHashes = await exportOf(db(), ['--include-credentials']);
    const users = withHashes.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.table === 'users');
    const admin = users.find((line) => line.row.username === c.admin.username);
    expect(admin.row).toHaveProperty('passwordHash');
    expect(withHashes.stdout).not.toMatch(/"tokenHash"/);
    expect(withHashes.stdout.split('\n')[0]).toContain('"credentials":true');
  });

  it('refuses a clinic that is not empty with exit 7 NOT_EMPTY, and imports nothing', async () => {
    const exported = await exportOf(db());
    const result = await importInto(db(), '-', exported.stdout);
    expect(result.code, result.stderr).toBe(7);
    expect(JSON.parse(result.stderr).error).toMatchObject({ code: 'CONFLICT', reason: 'NOT_EMPTY' });
  });

  it('is all or nothing: a bad row at the end leaves the target empty (exit 3)', async () => {
    const exported = await exportOf(db());
    const broken = `${exported.stdout}{"table":"messages","row":{"id":"not-a-uuid"}}\n`;
    const target = await newDatabase();
    const result = await importInto(target, '-', broken);
    expect(result.code, result.stderr).toBe(3);
    expect(Number((await target.knex('users').count({ n: '*' }).first())!.n)).toBe(0);
    expect(Number((await target.knex('audit_log').count({ n: '*' }).first())!.n)).toBe(0);
    const garbage = await importInto(target, '-', 'hello\n');
    expect(garbage.code).toBe(3);
  });

  it('an altered audit row in the file is refused (exit 9) and nothing is imported', async () => {
    const exported = await exportOf(db());
    const tampered = exported.stdout.replace(/("table":"audit_log","row":\{[^\n]*?"outcome":)"success"/, '$1"denied"');
    expect(tampered).not.toBe(exported.stdout);
    const target = await newDatabase();
    const result = await importInto(target, '-', tampered);
    expect(result.code, result.stderr).toBe(9);
    expect(Number((await target.knex('audit_log').count({ n: '*' }).first())!.n)).toBe(0);
  });

  it('a row given twice is exit 7 that names the table, the key and the line of the repeat (no constraint name), and imports nothing', async () => {
    const exported = await exportOf(db());
    const lines = exported.stdout.trimEnd().split('\n');
    const at = (table: string) => lines.findIndex((line) => line.startsWith(`{"table":"${table}",`));
    const user = JSON.parse(lines[at('users')]!) as { row: { id: string; username: string } };
    const sameUsername = JSON.stringify({ ...user, row: { ...user.row, id: '00000000-0000-4000-8000-000000000001' } });
    const panel = JSON.parse(lines[at('doctor_patients')]!) as { row: { doctorId: string; patientId: string } };
    const cases: Array<[number, string, RegExp]> = [
      [at('users'), lines[at('users')]!, new RegExp(`two users rows with the same id \\(${user.row.id}\\): the second at - line ${at('users') + 2}\\.`)],
      [
        at('users') + 3,
        sameUsername,
        new RegExp(`two users rows with the same username \\(${user.row.username.replaceAll('.', '\\.')}\\): the second at - line ${at('users') + 5}\\.`),
      ],
      [
        at('doctor_patients'),
        lines[at('doctor_patients')]!,
        new RegExp(
          `two doctor_patients rows with the same doctorId, patientId \\(${panel.row.doctorId}, ${panel.row.patientId}\\): the second at - line ${at('doctor_patients') + 2}\\.`,
        ),
      ],
    ];
    for (const [after, repeat, message] of cases) {
      const target = await newDatabase();
      const file = [...lines.slice(0, after + 1), repeat, ...lines.slice(after + 1)].join('\n');
      const result = await importInto(target, '-', `${file}\n`);
      expect(result.code, result.stderr).toBe(7);
      const error = JSON.parse(result.stderr).error as { code: string; reason: string; message: string };
      expect(error).toMatchObject({ code: 'CONFLICT', reason: 'ALREADY_EXISTS' });
      expect(error.message).toMatch(message);
      expect(result.stderr).not.toMatch(/pkey|_key|constraint/);
      expect(Number((await target.knex('users').count({ n: '*' }).first())!.n)).toBe(0);
    }
  });

  it("a value the database's rules refuse is exit 3 naming the table and the field (no constraint, no row), and imports nothing", async () => {
    const exported = await exportOf(db());
    const lines = exported.stdout.trimEnd().split('\n');
    const edit = (table: string, change: (row: Record<string, unknown>) => Record<string, unknown>) => {
      const at = lines.findIndex((line) => line.startsWith(`{"table":"${table}",`));
      expect(at, table).toBeGreaterThan(0);
      const record = JSON.parse(lines[at]!) as { row: Record<string, unknown> };
      return [...lines.slice(0, at), JSON.stringify({ ...record, row: change(record.row) }), ...lines.slice(at + 1)].join('\n');
    };
    const cases: Array<[string, RegExp]> = [
      [
        edit('patients', (row) => ({ ...row, phone: 'call me at home' })),
        /^A patients row of the export has a phone that the database refuses\. Nothing was imported\.$/,
      ],
      [
        edit('users', (row) => ({ ...row, fullName: null })),
        /^A users row of the export has no fullName where the database needs one\. Nothing was imported\.$/,
      ],
    ];
    for (const [file, message] of cases) {
      const target = await newDatabase();
      const result = await importInto(target, '-', `${file}\n`);
      expect(result.code, result.stderr).toBe(3);
      expect(JSON.parse(result.stderr).error.message).toMatch(message);
      expect(result.stderr).not.toMatch(/check|constraint|Failing row|call me/);
      expect(Number((await target.knex('users').count({ n: '*' }).first())!.n)).toBe(0);
    }
  });

  // Last: it adds rows to the clinic the tests above compare.
  it('reads tables of more rows than a page, each row once, composite keys too', async () => {
    const knex = db().knex;
    await knex.raw(`INSERT INTO users (username, full_name, role) SELECT 'pt.bulk' || g, 'Bulk ' || g, 'patient' FROM generate_series(1, 2100) g`);
    await knex.raw(`INSERT INTO patients (user_id) SELECT id FROM users WHERE username LIKE 'pt.bulk%'`);
    await knex.raw(
      `INSERT INTO doctor_patients (doctor_id, patient_id) SELECT d.user_id, p.user_id FROM doctors d CROSS JOIN patients p ON CONFLICT DO NOTHING`,
    );
    const exported = await exportOf(db());
    expect(exported.code, exported.stderr).toBe(0);
    const lines = exported.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => JSON.parse(line) as { table: string; row: Record<string, string> });
    // The file names columns in camelCase.
    for (const [table, key, fields] of [
      ['users', ['id'], ['id']],
      ['patients', ['user_id'], ['userId']],
      ['doctor_patients', ['doctor_id', 'patient_id'], ['doctorId', 'patientId']],
    ] as const) {
      const exportedKeys = lines.filter((line) => line.table === table).map((line) => fields.map((field) => line.row[field]).join('/'));
      const stored = (await knex(table).select(...key)).map((row: Record<string, string>) => key.map((column) => row[column]).join('/'));
      expect(stored.length, table).toBeGreaterThan(2_000);
      expect(new Set(exportedKeys).size, `${table}: each row once`).toBe(exportedKeys.length);
      expect([...exportedKeys].sort(), table).toEqual([...stored].sort());
    }
  });
});

async function makeAdminOn(database: TestDatabase) {
  const admin = await database.knex('users').where({ role: 'admin', status: 'active' }).first();
  return admin ? { id: admin.id as string, username: admin.username as string, role: 'admin' as const } : makeAdmin(database.knex);
}
