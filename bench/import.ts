/**
 * Benchmark of `clinic appointments import` against `psql \copy` of the same rows into the same
 * table (same schema, constraints and people), measured in the same run, plus peak memory.
 *
 *   npx tsc -p . && node --import tsx bench/import.ts [--rows 100000] [--memory-rows 1000000] [--no-embedded]
 *
 * Needs PostgreSQL (CLINIC_BENCH_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/postgres)
 * and psql on the PATH. Writes bench/IMPORT.md.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import knexFactory, { type Knex } from 'knex';
import { openDatabase } from '../src/db/connect.js';
import { stopServer } from '../src/db/server/client.js';
import { migrateLatest } from '../src/db/migrations.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const RUN_AS = path.join(HERE, 'run-as.mjs');
const SQL_TIMELINE = path.join(HERE, 'lib', 'sql-timeline.cjs');

export interface ImportBenchOptions {
  serverUrl: string;
  rows: number;
  memoryRows: number;
  doctors: number;
  patients: number;
  embedded: boolean;
  workDir: string;
}

export interface ImportBenchResult {
  rows: number;
  psqlSeconds: number;
  clinicSeconds: number;
  /** The PostgreSQL import's statements, as bench/lib/sql-timeline.cjs noted them. */
  clinicTimeline: StatementTimeline;
  ratio: number;
  clinicPeakMb: number;
  memoryRows: number;
  memorySeconds: number | undefined;
  memoryPeakMb: number | undefined;
  embeddedSeconds: number | undefined;
  embeddedPeakMb: number | undefined;
}

const SLOTS_PER_DAY = 16; // 09:00-17:00 in 30-minute slots
const SLOTS_PER_WEEK = SLOTS_PER_DAY * 5;

/** Deterministic, valid appointments: doctors round-robin over their grids; no patient twice at one time. */
function* appointments(count: number, doctors: number, patients: number, firstMonday: Date) {
  for (let k = 0; k < count; k++) {
    const doctor = k % doctors;
    const slot = Math.floor(k / doctors);
    const week = Math.floor(slot / SLOTS_PER_WEEK);
    const day = Math.floor((slot % SLOTS_PER_WEEK) / SLOTS_PER_DAY);
    const minute = 9 * 60 + (slot % SLOTS_PER_DAY) * 30;
    const start = new Date(firstMonday.getTime() + ((week * 7 + day) * 24 * 60 + minute) * 60_000);
    yield {
      doctor: doctorName(doctor + 1),
      patient: patientName(((slot * doctors + doctor) % patients) + 1),
      start,
      end: new Date(start.getTime() + 30 * 60_000),
      externalId: `bench-${k + 1}`,
    };
  }
}

const doctorName = (n: number) => `dr.bench-${String(n).padStart(3, '0')}`;
const patientName = (n: number) => `pt.bench-${String(n).padStart(6, '0')}`;
const isoDate = (d: Date) => d.toISOString().slice(0, 10);
const isoTime = (d: Date) => d.toISOString().slice(11, 16);

async function writeLines(file: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(file);
  let buffer = '';
  for (const line of lines) {
    buffer += line;
    if (buffer.length > 1 << 16) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}

function* clinicCsv(rows: number, options: ImportBenchOptions, firstMonday: Date) {
  yield 'patient,doctor,date,time,reason,durationMinutes,status,externalId\n';
  for (const a of appointments(rows, options.doctors, options.patients, firstMonday)) {
    yield `${a.patient},${a.doctor},${isoDate(a.start)},${isoTime(a.start)},Bench visit,30,APPROVED,${a.externalId}\n`;
  }
}

function* psqlCsv(rows: number, options: ImportBenchOptions, firstMonday: Date, ids: Map<string, string>) {
  for (const a of appointments(rows, options.doctors, options.patients, firstMonday)) {
    yield `${ids.get(a.patient)},${ids.get(a.doctor)},${a.start.toISOString()},${a.end.toISOString()},Bench visit,APPROVED,${a.externalId}\n`;
  }
}

/** The people every run needs: one staff member, the doctors with mon–fri 09:00–17:00, the patients. Clinic time zone UTC. */
async function seedPeople(knex: Knex, options: ImportBenchOptions): Promise<{ id: string; username: string; role: 'staff' }> {
  await knex.raw(`INSERT INTO settings (key, value) VALUES ('timezone', 'UTC')`);
  const [staff] = await knex('users').insert({ username: 'bench.staff', full_name: 'Bench Staff', role: 'staff' }).returning(['id', 'username', 'role']);
  await knex.raw(
    `INSERT INTO users (username, full_name, role) SELECT 'dr.bench-' || lpad(i::text, 3, '0'), 'Doctor ' || i, 'doctor' FROM generate_series(1, ?) i`,
    [options.doctors],
  );
  await knex.raw(`INSERT INTO doctors (user_id, slot_minutes) SELECT id, 30 FROM users WHERE role = 'doctor'`);
  await knex.raw(
    `INSERT INTO doctor_hours (doctor_id, weekday, start_time, end_time) SELECT user_id, d, '09:00', '17:00' FROM doctors, generate_series(1, 5) d`,
  );
  await knex.raw(
    `INSERT INTO users (username, full_name, role) SELECT 'pt.bench-' || lpad(i::text, 6, '0'), 'Patient ' || i, 'patient' FROM generate_series(1, ?) i`,
    [options.patients],
  );
  await knex.raw(`INSERT INTO patients (user_id) SELECT id FROM users WHERE role = 'patient'`);
  await knex.raw('ANALYZE');
  return staff as { id: string; username: string; role: 'staff' };
}

function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function freshPostgres(options: ImportBenchOptions, name: string) {
  const admin = knexFactory({ client: 'pg', connection: options.serverUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
    await admin.raw('CREATE DATABASE ??', [name]);
  } finally {
    await admin.destroy();
  }
  const url = databaseUrl(options.serverUrl, name);
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    await migrateLatest(knex);
    const staff = await seedPeople(knex, options);
    const people = await knex('users').select('id', 'username');
    return { url, staff, ids: new Map(people.map((row: { id: string; username: string }) => [row.username, row.id])) };
  } finally {
    await knex.destroy();
  }
}

async function dropPostgres(options: ImportBenchOptions, name: string) {
  const admin = knexFactory({ client: 'pg', connection: options.serverUrl, pool: { min: 0, max: 1 } });
  try {
    await admin.raw('DROP DATABASE IF EXISTS ?? WITH (FORCE)', [name]);
  } finally {
    await admin.destroy();
  }
}

async function countAppointments(url: string): Promise<number> {
  const knex = knexFactory({ client: 'pg', connection: url, pool: { min: 0, max: 1 } });
  try {
    const [row] = await knex('appointments').count({ n: '*' });
    return Number(row!.n);
  } finally {
    await knex.destroy();
  }
}

/** Runs a command under /usr/bin/time: seconds of wall clock and peak RSS in MB. */
async function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ seconds: number; peakMb: number; stdout: string }> {
  const started = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-f', 'maxrss_kb=%M', command, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited ${code}:\n${stderr.slice(-2000)}`);
  const kb = Number(/maxrss_kb=(\d+)/.exec(stderr)?.[1] ?? NaN);
  return { seconds, peakMb: kb / 1024, stdout };
}

/** What bench/lib/sql-timeline.cjs notes: when each statement was sent, in ms since the process started. */
export interface StatementTimeline {
  preload: number;
  statements: Array<{ at: number; sql: string }>;
  exit: number;
}

function clinicImport(file: string, actor: object, target: { url?: string; dataDir?: string }, timelineFile?: string) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_COLOR: '1',
    CLINIC_TEST_ACTOR: JSON.stringify(actor),
    ...(target.url ? { CLINIC_DATABASE_URL: target.url } : { CLINIC_DATA_DIR: target.dataDir }),
  };
  if (timelineFile === undefined) return timed(process.execPath, [RUN_AS, 'appointments', 'import', file, '--json'], env);
  // With the timeline probe and --debug: a few [sql] lines on stderr, each noted with its time.
  return timed(process.execPath, ['--require', SQL_TIMELINE, RUN_AS, 'appointments', 'import', file, '--json', '--debug'], {
    ...env,
    BENCH_SQL_FILE: timelineFile,
  });
}

function nextMondayAfter(days: number): Date {
  const date = new Date();
  date.setUTCHours(0, 0, 0, 0);
  date.setUTCDate(date.getUTCDate() + days);
  while (date.getUTCDay() !== 1) date.setUTCDate(date.getUTCDate() + 1);
  return date;
}

export async function runImportBenchmark(options: ImportBenchOptions, log: (line: string) => void = () => {}): Promise<ImportBenchResult> {
  await fs.mkdir(options.workDir, { recursive: true });
  const firstMonday = nextMondayAfter(7);
  const clinicFile = path.join(options.workDir, `appointments-${options.rows}.csv`);
  await writeLines(clinicFile, clinicCsv(options.rows, options, firstMonday));

  log('psql \\copy …');
  const psqlDb = await freshPostgres(options, 'clinic_bench_psql');
  const psqlFile = path.join(options.workDir, `appointments-${options.rows}-copy.csv`);
  await writeLines(psqlFile, psqlCsv(options.rows, options, firstMonday, psqlDb.ids));
  const copy = await timed(
    'psql',
    [
      '-X',
      '-q',
      '-v',
      'ON_ERROR_STOP=1',
      '-d',
      psqlDb.url,
      '-c',
      `\\copy appointments (patient_id, doctor_id, starts_at, ends_at, reason, status, external_id) FROM '${psqlFile}' CSV`,
    ],
    process.env,
  );
  if ((await countAppointments(psqlDb.url)) !== options.rows) throw new Error('psql \\copy did not load every row');
  await dropPostgres(options, 'clinic_bench_psql');

  log('clinic appointments import …');
  const clinicDb = await freshPostgres(options, 'clinic_bench_import');
  const timelineFile = path.join(options.workDir, 'import-timeline.json');
  const clinic = await clinicImport(clinicFile, clinicDb.staff, { url: clinicDb.url }, timelineFile);
  const clinicTimeline = JSON.parse(await fs.readFile(timelineFile, 'utf8')) as StatementTimeline;
  const summary = JSON.parse(clinic.stdout) as { imported: number };
  if (summary.imported !== options.rows) throw new Error(`clinic imported ${summary.imported} of ${options.rows} rows`);
  await dropPostgres(options, 'clinic_bench_import');

  let memory: { seconds: number; peakMb: number; stdout: string } | undefined;
  if (options.memoryRows > 0) {
    log(`clinic appointments import of ${options.memoryRows} rows (memory) …`);
    const bigFile = path.join(options.workDir, `appointments-${options.memoryRows}.csv`);
    await writeLines(bigFile, clinicCsv(options.memoryRows, options, firstMonday));
    const bigDb = await freshPostgres(options, 'clinic_bench_memory');
    memory = await clinicImport(bigFile, bigDb.staff, { url: bigDb.url });
    if ((JSON.parse(memory.stdout) as { imported: number }).imported !== options.memoryRows) throw new Error('the big import missed rows');
    await dropPostgres(options, 'clinic_bench_memory');
    await fs.rm(bigFile, { force: true });
  }

  let embedded: { seconds: number; peakMb: number } | undefined;
  if (options.embedded) {
    log('clinic appointments import, embedded …');
    const dataDir = path.join(options.workDir, 'embedded');
    await fs.rm(dataDir, { recursive: true, force: true });
    const database = await openDatabase({ backend: 'embedded', dataDir }, { schema: 'none' });
    let staff: object;
    try {
      await migrateLatest(database.knex);
      staff = await seedPeople(database.knex, options);
    } finally {
      await database.close();
    }
    try {
      embedded = await clinicImport(clinicFile, staff, { dataDir });
    } finally {
      await stopServer(dataDir, process.env);
    }
    await fs.rm(dataDir, { recursive: true, force: true });
  }
  await fs.rm(psqlFile, { force: true });

  return {
    rows: options.rows,
    psqlSeconds: copy.seconds,
    clinicSeconds: clinic.seconds,
    clinicTimeline,
    ratio: clinic.seconds / copy.seconds,
    clinicPeakMb: clinic.peakMb,
    memoryRows: options.memoryRows,
    memorySeconds: memory?.seconds,
    memoryPeakMb: memory?.peakMb,
    embeddedSeconds: embedded?.seconds,
    embeddedPeakMb: embedded?.peakMb,
  };
}

export function renderImportReport(result: ImportBenchResult, options: ImportBenchOptions): string {
  const s = (n: number | undefined) => (n === undefined ? 'not run' : `${n.toFixed(2)} s`);
  const mb = (n: number | undefined) => (n === undefined ? 'not run' : `${Math.round(n)} MB`);
  return `# Import benchmark

\`clinic appointments import\` of ${result.rows.toLocaleString('en')} valid appointments (${options.doctors} doctors,
${options.patients.toLocaleString('en')} patients, 30-minute slots, every row checked like \`book\`) into PostgreSQL,
against \`psql \\copy\` of the same rows into the same table (same schema, constraints and people, a fresh
database each), measured in the same run. The clinic time includes starting Node, parsing the CSV,
staging, checking and inserting; peak RSS is the whole process (\`/usr/bin/time -f %M\`).

Machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, measured ${new Date().toISOString().slice(0, 16)}Z.

| what | rows | time | peak RSS |
|---|---:|---:|---:|
| psql \\copy (PostgreSQL) | ${result.rows.toLocaleString('en')} | ${s(result.psqlSeconds)} | |
| clinic appointments import (PostgreSQL) | ${result.rows.toLocaleString('en')} | ${s(result.clinicSeconds)} | ${mb(result.clinicPeakMb)} |
| clinic appointments import (PostgreSQL) | ${result.memoryRows.toLocaleString('en')} | ${s(result.memorySeconds)} | ${mb(result.memoryPeakMb)} |
| clinic appointments import (embedded PGlite) | ${result.rows.toLocaleString('en')} | ${s(result.embeddedSeconds)} | ${mb(result.embeddedPeakMb)} |

Ratio clinic / psql \\copy: **${result.ratio.toFixed(2)}×** (target: at most 1.5×).

Reproduce: \`npx tsc -p . && node --import tsx bench/import.ts\` (options: \`--rows N\`, \`--memory-rows N\`,
\`--no-embedded\`; PostgreSQL from \`CLINIC_BENCH_DATABASE_URL\`, default \`postgres://postgres@127.0.0.1:5432/postgres\`).
`;
}

function optionValue(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at === -1 ? fallback : Number(args[at + 1]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const options: ImportBenchOptions = {
    serverUrl: process.env.CLINIC_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    rows: optionValue(args, '--rows', 100_000),
    memoryRows: optionValue(args, '--memory-rows', 1_000_000),
    doctors: 50,
    patients: 20_000,
    embedded: !args.includes('--no-embedded'),
    workDir: path.join(HERE, '.data'),
  };
  const result = await runImportBenchmark(options, (line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  if (!args.includes('--no-write')) await fs.writeFile(path.join(HERE, 'IMPORT.md'), renderImportReport(result, options));
}
