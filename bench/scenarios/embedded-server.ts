import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clinicUser, initClinic, missingCommand, type ClinicUser } from '../lib/clinic-env.js';
import { clinicSql, doctorUsername, patientUsername, sampleMonday, type ClinicShape } from '../lib/datagen.js';
import { ROOT, clinicProcess, measure, measureInterleaved, nodeProcess, runChecked, runOnce, type Measurement, type Sample } from '../lib/proc.js';
import { skippedSection, type Section } from '../lib/report.js';
import { psqlScript, type Resources } from '../lib/resources.js';
import { ratioVerdict, type Scenario, type ScenarioContext } from '../lib/scenario.js';
import { formatMs, formatRatio, summarize } from '../lib/stats.js';
import { equivalentListSql } from './postgres-list.js';
import { serverStatus } from '../../src/db/server/client.js';
import { SOCKET_PORT, serverPaths } from '../../src/db/server/paths.js';
import { pgFloor } from '../lib/floors.js';
import { breakdown, breakdownTable, percentile, readServerTrace, shares } from '../lib/server-trace.js';

/** Loading rows through the WASM engine is slow; one day of one doctor reads the same at this size. */
const SHAPE: ClinicShape = { doctors: 50, patients: 5_000, appointments: 25_000 };
const FLOOR_SCRIPT = path.join(ROOT, 'bench', 'floor-pglite.mjs');

interface EmbeddedClinic {
  dataDir: string;
  user: ClinicUser;
}

/**
 * A clinic on a new embedded data directory, loaded with the generated data while no server
 * holds it; the server is stopped again when the bench releases its resources.
 */
async function embeddedClinic(ctx: ScenarioContext, purpose: string): Promise<EmbeddedClinic | string> {
  const dataDir = path.join(ctx.resources.tempDir(`${purpose}-data`), 'clinic');
  const user = clinicUser(ctx.resources, purpose, { dataDir });
  const missing = (await missingCommand(user, ['db', 'server', 'stop'])) ?? (await missingCommand(user, ['appointments', 'list']));
  if (missing) return missing;
  stopServerAtCleanup(ctx.resources, user);
  await initClinic(user);
  await stopServer(user);
  const { execOnDataDir } = await import('../lib/pglite.js');
  await execOnDataDir(dataDir, clinicSql(SHAPE));
  return { dataDir, user };
}

function stopServer(user: ClinicUser): Promise<Sample> {
  return runChecked(clinicProcess(['db', 'server', 'stop', '--json'], { env: user.env }));
}

function stopServerAtCleanup(resources: Resources, user: ClinicUser): void {
  resources.onCleanup('the embedded server', () => {
    // releaseAll is synchronous; stopping a server that no longer runs is a no-op.
    execFileSync(process.execPath, [path.join(ROOT, 'bin', 'clinic.js'), 'db', 'server', 'stop'], { env: user.env, stdio: 'ignore', timeout: 60_000 });
  });
}

function listArgs(): string[] {
  return ['appointments', 'list', '--json', '--doctor', doctorUsername(1), '--date', sampleMonday(SHAPE)];
}

/** Scenario: a warm embedded server against PostgreSQL and against `node -e 0`. */
export const embeddedWarm: Scenario = {
  id: 'embedded-warm',
  title: '3a. appointments list on a warm embedded server',
  target:
    '`clinic appointments list --json --doctor D --date D` on a warm embedded server within 1.2× the same command on PostgreSQL and within 2.5× `node -e 0`.',
  async run(ctx): Promise<Section> {
    const clinic = await embeddedClinic(ctx, 'embedded-warm');
    if (typeof clinic === 'string') return skippedSection(this.id, this.title, this.target, clinic);
    const url = ctx.resources.createDatabase('warm');
    const pgUser = clinicUser(ctx.resources, 'embedded-warm-pg', { url });
    const { migratePostgres } = await import('../lib/schema.js');
    await migratePostgres(url);
    psqlScript(url, clinicSql(SHAPE));
    await initClinic(pgUser);

    const embeddedLabel = `embedded (warm server): clinic ${listArgs().join(' ')}`;
    const postgresLabel = `PostgreSQL: clinic ${listArgs().join(' ')}`;
    const floorLabel = 'floor: node + pg alone on the warm server’s socket, connect + the equivalent query (bench/floor-pg.cjs)';
    const floor = await pgFloor(ctx.resources);
    const socketEnv = { ...clinic.user.env, FLOOR_SOCKET_DIR: serverPaths(clinic.dataDir, clinic.user.env).runDir, FLOOR_SOCKET_PORT: String(SOCKET_PORT) };
    const results = await measureInterleaved(
      {
        'node -e 0': nodeProcess(['-e', '0'], { env: clinic.user.env }),
        [postgresLabel]: clinicProcess(listArgs(), { env: pgUser.env }),
        // The server logs each connection's timings; the command names itself by PGAPPNAME.
        [embeddedLabel]: clinicProcess(listArgs(), { env: { ...clinic.user.env, CLINIC_SERVER_TRACE: '1', PGAPPNAME: 'list' } }),
        // After the embedded command, whose warm-up starts the server the floor connects to.
        [floorLabel]: floor(equivalentListSql(doctorUsername(1), sampleMonday(SHAPE)), socketEnv),
      },
      // The warm-up run starts the server.
      { runs: ctx.runs ?? 15, warmup: 1 },
    );
    await stopServer(clinic.user);
    // One connection per command, in the order of the runs; the warm-up's comes first.
    const traces = readServerTrace(clinic.dataDir, clinic.user.env)
      .filter((trace) => trace.applicationName === 'list')
      .sort((a, b) => a.id - b.id)
      .slice(1);
    const node = results['node -e 0']!;
    const postgres = results[postgresLabel]!;
    const embedded = results[embeddedLabel]!;
    const floorRun = results[floorLabel]!;
    const listed = (JSON.parse(embedded.samples[0]!.stdout) as unknown[]).length;
    const floorListed = (JSON.parse(floorRun.samples[0]!.stdout) as Array<{ coalesce: unknown[] }>)[0]?.coalesce.length;
    if (floorListed !== listed) throw new Error(`the floor read ${floorListed} appointments, clinic listed ${listed}`);
    const onPostgres = (JSON.parse(postgres.samples[0]!.stdout) as unknown[]).length;
    if (listed !== onPostgres) throw new Error(`embedded listed ${listed} appointments, PostgreSQL ${onPostgres}`);
    return {
      id: this.id,
      title: this.title,
      target: this.target,
      rows: [
        { label: 'node -e 0', measurement: node },
        { label: postgresLabel, measurement: postgres, baseline: 'node -e 0' },
        { label: embeddedLabel, measurement: embedded, baseline: postgresLabel },
        { label: `${embeddedLabel} (against node -e 0)`, measurement: embedded, baseline: 'node -e 0' },
        { label: floorLabel, measurement: floorRun, baseline: 'node -e 0' },
      ],
      verdicts: [
        ratioVerdict('embedded against PostgreSQL', embedded.wall.median / postgres.wall.median, embedded.cpu.median / postgres.cpu.median, 1.2),
        ratioVerdict('embedded against `node -e 0`', embedded.wall.median / node.wall.median, embedded.cpu.median / node.cpu.median, 2.5),
        `both list the same ${listed} appointments. CPU is the command's own; the server's is not counted (it is shared by every command).`,
        `the floor (pg alone on the same socket: connect, the equivalent query, print): wall ${formatRatio(floorRun.wall.median / node.wall.median)} \`node -e 0\`; ` +
          `the 2.5× target leaves ${formatMs(Math.max(0, 2.5 * node.wall.median - floorRun.wall.median))} over it for everything else; the command is ${formatMs(embedded.wall.median - floorRun.wall.median)} over it.`,
      ],
      details: [
        `Data: ${SHAPE.doctors} doctors, ${SHAPE.patients.toLocaleString('en')} patients, ${SHAPE.appointments.toLocaleString('en')} appointments (bench/lib/datagen.ts) on both backends.`,
        '',
        traces.length === embedded.samples.length
          ? [
              'Where the embedded command’s time goes, from the server’s own trace of each run’s connection (CLINIC_SERVER_TRACE=1, bench/lib/server-trace.ts):',
              '',
              breakdownTable(embedded.samples.map((sample, index) => breakdown(sample.wallMs, [traces[index]!]))),
            ].join('\n')
          : `(no breakdown: the server traced ${traces.length} connections for ${embedded.samples.length} runs)`,
      ].join('\n'),
    };
  },
};

/** Scenario: the first command on a stopped server, against PGlite's own start plus the warm command. */
export const embeddedCold: Scenario = {
  id: 'embedded-cold',
  title: '3b. the first command on a cold embedded server',
  target:
    'the first `appointments list` after `db server stop` within its floor (bench/floor-pglite.mjs: PGlite opening the directory, one query, close) plus the same command on a warm server plus 300 ms.',
  async run(ctx): Promise<Section> {
    const clinic = await embeddedClinic(ctx, 'embedded-cold');
    if (typeof clinic === 'string') return skippedSection(this.id, this.title, this.target, clinic);
    const runs = ctx.runs ?? 8;
    const doctor = doctorUsername(1);
    const date = sampleMonday(SHAPE);
    const floorLabel = 'floor: bench/floor-pglite.mjs (PGlite open + the equivalent query + close)';
    const coldLabel = `cold: clinic ${listArgs().join(' ')} (the server stopped before each run)`;
    const warmLabel = `warm: clinic ${listArgs().join(' ')}`;
    // The floor opens the directory itself: no server may run then.
    const floor = await measure(nodeProcess([FLOOR_SCRIPT, clinic.dataDir, equivalentListSql(doctor, date)], { env: clinic.user.env }), {
      runs,
      warmup: 1,
      before: async () => void (await stopServer(clinic.user)),
    });
    const cold = await measure(clinicProcess(listArgs(), { env: clinic.user.env }), {
      runs,
      warmup: 1,
      before: async () => void (await stopServer(clinic.user)),
    });
    const warm = await measure(clinicProcess(listArgs(), { env: clinic.user.env }), { runs, warmup: 1 });
    await stopServer(clinic.user);
    const allowed = floor.wall.median + warm.wall.median + 300;
    return {
      id: this.id,
      title: this.title,
      target: this.target,
      rows: [
        { label: floorLabel, measurement: floor },
        { label: warmLabel, measurement: warm },
        { label: coldLabel, measurement: cold, baseline: floorLabel },
      ],
      verdicts: [
        `cold ${formatMs(cold.wall.median)} against floor ${formatMs(floor.wall.median)} + warm ${formatMs(warm.wall.median)} + 300 ms = ${formatMs(allowed)}: ${cold.wall.median <= allowed ? 'met' : 'MISSED'} (wall medians).`,
        'The cold command pays the server start (a Node process, PGlite opening the directory and recovering) and then runs as a warm one; the floor pays PGlite opening the directory and its close (a checkpoint), which the server pays later, when it stops.',
      ],
    };
  },
};

/** Scenario: five terminals booking at once on one embedded directory. */
export const embeddedParallel: Scenario = {
  id: 'embedded-parallel',
  title: '3c. five terminals × 20 bookings on one embedded directory',
  target:
    '5 processes in parallel, each running 20 `appointments book` one after another on one embedded data directory: every command ends in under 2 s, every booking is there, no two overlap.',
  async run(ctx): Promise<Section> {
    const clinic = await embeddedClinic(ctx, 'embedded-parallel');
    if (typeof clinic === 'string') return skippedSection(this.id, this.title, this.target, clinic);
    const terminals = 5;
    const perTerminal = 20;
    // A Monday after the generated appointments: every slot is free, and each booking takes its own.
    const date = nextMondayAfter('2027-03-01');
    // Starts the server, which then logs what each connection cost (bench/lib/server-trace.ts).
    await runChecked(
      clinicProcess(['settings', 'show', '--json'], {
        env: { ...clinic.user.env, CLINIC_SERVER_TRACE: '1' },
      }),
    );
    const status = await serverStatus(clinic.dataDir, clinic.user.env);
    const serverCpuBefore = status ? processCpuMs(status.pid) : Number.NaN;
    const samples: Sample[] = [];
    const names: string[] = [];
    const failures: string[] = [];
    const started = Date.now();
    await Promise.all(
      Array.from({ length: terminals }, async (_, t) => {
        for (let i = 0; i < perTerminal; i++) {
          const doctor = doctorUsername(1 + ((t + i) % terminals));
          const patient = patientUsername(1 + t * perTerminal + i);
          // 16 half-hour slots a day (09:00-16:30); for one i, the five terminals book five different doctors.
          const day = addDays(date, Math.floor(i / 16));
          const minutes = 9 * 60 + (i % 16) * 30;
          const slot = `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
          const name = `book ${t + 1}.${i + 1}`;
          const sample = await runOnce(
            clinicProcess(['appointments', 'book', '--json', '--patient', patient, '--doctor', doctor, '--date', day, '--time', slot], {
              env: { ...clinic.user.env, PGAPPNAME: name },
            }),
          );
          samples.push(sample);
          names.push(name);
          if (sample.code !== 0) failures.push(`terminal ${t + 1} booking ${i + 1}: exit ${sample.code}: ${sample.stderr.trim().slice(0, 200)}`);
        }
      }),
    );
    const totalMs = Date.now() - started;
    const serverCpuMs = status ? processCpuMs(status.pid) - serverCpuBefore : Number.NaN;
    const check = await runChecked(
      clinicProcess(['appointments', 'list', '--json', '--from', date, '--to', addDays(date, 1), '--limit', '1000'], { env: clinic.user.env }),
    );
    const booked = JSON.parse(check.stdout) as Array<{ doctorId: string; patientId: string; startsAt: string; endsAt: string }>;
    const overlaps = countOverlaps(booked);
    await stopServer(clinic.user);
    const traces = readServerTrace(clinic.dataDir, clinic.user.env);
    const parts = samples.map((sample, index) =>
      breakdown(
        sample.wallMs,
        traces.filter((trace) => trace.applicationName === names[index]),
      ),
    );
    const share = shares(parts);
    const slowest = Math.max(...samples.map((sample) => sample.wallMs));
    const slowestName = names[samples.findIndex((sample) => sample.wallMs === slowest)];
    const slowestFive = samples
      .map((sample, index) => ({ name: names[index]!, wall: sample.wallMs }))
      .sort((a, b) => b.wall - a.wall)
      .slice(0, 5)
      .map(({ name, wall }) => `${name} ${formatMs(wall)}`)
      .join(', ');
    const measurement: Measurement = summarizeSamples(samples);
    const wall = samples.map((sample) => sample.wallMs);
    // On a machine of its own, 5 commands sharing the cores fairly with the server cannot end sooner than this.
    const cores = os.availableParallelism();
    const serverCpuPerCommand = serverCpuMs / samples.length;
    const cpuFloor = ((measurement.cpu.median + serverCpuPerCommand) * Math.max(terminals, cores)) / cores;
    return {
      id: this.id,
      title: this.title,
      target: this.target,
      rows: [{ label: `appointments book (${samples.length} commands, ${terminals} at a time)`, measurement }],
      verdicts: [
        `slowest command ${formatMs(slowest)} (${slowestName}: terminal.booking; ${slowest < 2000 ? 'met' : 'MISSED'}; target < 2 s); the five slowest: ${slowestFive}; p50 ${formatMs(percentile(wall, 50))}, p95 ${formatMs(percentile(wall, 95))}; all ${samples.length} in ${formatMs(totalMs)}.`,
        `CPU: a command ${formatMs(measurement.cpu.median)} (median), the server ${formatMs(serverCpuPerCommand)} per command; ${terminals} commands at a time on ${cores} cores: ${formatMs(cpuFloor)} each at least, with the machine to themselves (load average at the start: ${os.loadavg()[0]!.toFixed(1)}).`,
        `of the commands' summed wall time: ${pct(share.wait)} queue wait at the server, ${pct(share.exec)} PGlite executing, ${pct(share.inTransaction)} the command's own time inside its transactions, ${pct(share.between)} its own work between turns while connected, ${pct(share.outside)} before connecting and after closing (process start, loading, connect, exit).`,
        `${samples.length - failures.length} of ${samples.length} succeeded; ${booked.length} appointments listed afterwards (${booked.length === terminals * perTerminal ? 'nothing lost' : 'MISSING ROWS'}); ${overlaps} overlapping pairs (${overlaps === 0 ? 'none' : 'OVERLAP'}).`,
        ...failures.slice(0, 5),
      ],
      details: [
        'Where each command’s time went, from the server’s own trace of its connection (CLINIC_SERVER_TRACE=1, bench/lib/server-trace.ts; commands named by PGAPPNAME):',
        '',
        breakdownTable(parts),
      ].join('\n'),
    };
  },
};

/** user + system CPU of a running process, in ms (/proc, clock ticks of 10 ms). */
function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[14 - 3]) + Number(fields[15 - 3])) * 10;
  } catch {
    return Number.NaN;
  }
}

function pct(value: number): string {
  return `${(value * 100).toFixed(0)} %`;
}

function summarizeSamples(samples: Sample[]): Measurement {
  return { wall: summarize(samples.map((s) => s.wallMs)), cpu: summarize(samples.map((s) => s.cpuMs)), samples };
}

function countOverlaps(rows: Array<{ doctorId: string; patientId: string; startsAt: string; endsAt: string }>): number {
  let overlaps = 0;
  for (let a = 0; a < rows.length; a++) {
    for (let b = a + 1; b < rows.length; b++) {
      const x = rows[a]!;
      const y = rows[b]!;
      const sameParty = x.doctorId === y.doctorId || x.patientId === y.patientId;
      if (sameParty && x.startsAt < y.endsAt && y.startsAt < x.endsAt) overlaps++;
    }
  }
  return overlaps;
}

function nextMondayAfter(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  while (date.getUTCDay() !== 1) date.setUTCDate(date.getUTCDate() + 1);
  return date.toISOString().slice(0, 10);
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}
