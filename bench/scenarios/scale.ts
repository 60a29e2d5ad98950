import type { Knex } from 'knex';
import type { DomainContext } from '../../src/domain/context.js';
import type { Actor } from '../../src/domain/policy.js';
import { clinicSql, doctorUsername, sampleMonday, type ClinicShape } from '../lib/datagen.js';
import { captureQueries, executionTime, explainAnalyze, isSelect, sequentialScans, timeCalls, type CapturedQuery } from '../lib/queries.js';
import { skippedSection, type Row, type Section } from '../lib/report.js';
import { psqlScript } from '../lib/resources.js';
import type { Scenario } from '../lib/scenario.js';
import { formatMs, summarize } from '../lib/stats.js';

export const SCALE_SHAPE: ClinicShape = { doctors: 50, patients: 20_000, appointments: 1_000_000 };
const LIMIT_MS = 20;
const BIG_TABLES = ['appointments', 'users', 'patients', 'doctor_patients', 'audit_log', 'messages'];

/** One of the product's read use cases, called in-process as the CLI's action would call it. */
export interface Operation {
  label: string;
  /** Not one of the timed reads: shown for its plans (a write, such as an audit row, is part of its time). */
  untimed?: string;
  /** The domain function bound to its input, or why it cannot run in this build. */
  load(): Promise<((ctx: DomainContext) => Promise<unknown>) | string>;
}

export interface ScaleFixture {
  doctor: string;
  date: string;
  search: string;
}

/** Resolves `exportName` from a domain module, or explains why it is missing. */
export async function domainFunction<F>(modulePath: string, exportName: string): Promise<F | string> {
  try {
    const module = (await import(modulePath)) as Record<string, unknown>;
    const found = module[exportName];
    return typeof found === 'function' ? (found as F) : `${exportName} is not exported by ${modulePath.replace(/^.*\/src\//, 'src/')}`;
  } catch (error) {
    const where = modulePath.replace(/^.*\/src\//, 'src/');
    if ((error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') return `${where} is not in this build`;
    return `${where} failed to load: ${(error as Error).message.split('\n')[0]}`;
  }
}

const SRC = new URL('../../src/', import.meta.url).href;

/** The three reads of the issue, and a week's calendar (for its plans), through the same domain functions as their commands. */
export function scaleOperations(fixture: ScaleFixture): Operation[] {
  type Call = (ctx: DomainContext, input: object) => Promise<unknown>;
  const operation = (label: string, module: string, name: string, input: object): Operation => ({
    label,
    async load() {
      const fn = await domainFunction<Call>(`${SRC}${module}`, name);
      return typeof fn === 'string' ? fn : (ctx) => fn(ctx, input);
    },
  });
  return [
    operation(`appointments list --doctor ${fixture.doctor} --date ${fixture.date}`, 'domain/appointments/queries.js', 'listAppointments', {
      doctor: fixture.doctor,
      date: fixture.date,
    }),
    operation(`appointments slots --doctor ${fixture.doctor} --date ${fixture.date} --days 7`, 'domain/appointments/queries.js', 'listFreeSlots', {
      doctor: fixture.doctor,
      date: fixture.date,
      days: 7,
    }),
    operation(`patients list --search ${fixture.search}`, 'domain/patients/service.js', 'listPatients', { search: fixture.search }),
    calendarWeek(fixture),
  ];
}

/** `appointments export --format ics` of one doctor's week, read to its end as the command writes it. */
function calendarWeek(fixture: ScaleFixture): Operation {
  const to = new Date(Date.parse(`${fixture.date}T00:00:00Z`) + 6 * 86_400_000).toISOString().slice(0, 10);
  const filters = { doctor: fixture.doctor, from: fixture.date, to };
  return {
    label: `appointments export --format ics --doctor ${fixture.doctor} --from ${fixture.date} --to ${to}`,
    untimed: 'no time target: an export writes its audit row, and is here for its plans',
    async load() {
      type Export = (ctx: DomainContext, format: 'ics', filters: object) => Promise<AsyncIterable<string>>;
      const fn = await domainFunction<Export>(`${SRC}domain/appointments/export.js`, 'exportAppointmentsText');
      if (typeof fn === 'string') return fn;
      return async (ctx) => {
        let octets = 0;
        for await (const chunk of await fn(ctx, 'ics', filters)) octets += chunk.length;
        return octets;
      };
    },
  };
}

/** Scenario 6: the product's own queries on a clinic with a million appointments. */
export const scale: Scenario = {
  id: 'scale',
  title: '6. Scale: 1,000,000 appointments on PostgreSQL',
  target: `each read (appointments list for one doctor and one day, free slots of one doctor over 7 days, patients list --search) under ${LIMIT_MS} ms at the median, with plans that use indexes; one doctor's week as a calendar is shown for its plans.`,
  async run(ctx): Promise<Section> {
    const fixture: ScaleFixture = { doctor: doctorUsername(7), date: sampleMonday(SCALE_SHAPE), search: 'dupont' };
    const operations = await Promise.all(
      scaleOperations(fixture).map(async (operation) => ({ label: operation.label, untimed: operation.untimed, call: await operation.load() })),
    );
    if (operations.every(({ call }) => typeof call === 'string')) {
      return skippedSection(this.id, this.title, this.target, operations.map(({ label, call }) => `${label}: ${call as string}`).join('; '));
    }
    const url = ctx.resources.createDatabase('scale');
    const { migratePostgres, openPostgres } = await import('../lib/schema.js');
    await migratePostgres(url);
    ctx.log('generating 1,000,000 appointments in SQL');
    const started = Date.now();
    psqlScript(url, clinicSql(SCALE_SHAPE));
    const generationSeconds = (Date.now() - started) / 1000;
    const counts = psqlScript(url, "SELECT (SELECT count(*) FROM appointments) || ' ' || (SELECT count(*) FROM users)").trim();

    const database = await openPostgres(url);
    const rows: Row[] = [];
    const verdicts: string[] = [];
    const details: string[] = [
      `Data: ${SCALE_SHAPE.doctors} doctors, ${SCALE_SHAPE.patients.toLocaleString('en')} patients, ${SCALE_SHAPE.appointments.toLocaleString('en')} appointments ` +
        `(appointments, users: ${counts}), generated in SQL in ${generationSeconds.toFixed(1)} s (bench/lib/datagen.ts). ` +
        "Each operation is the product's domain function called in-process on a knex connected to this database, as an admin; " +
        "its statements are captured with knex's 'query' event, then each SELECT is run once more under EXPLAIN (ANALYZE, BUFFERS).",
    ];
    try {
      const actor = await insertAdmin(database.knex);
      const domain: DomainContext = { db: database.knex, actor, backend: 'postgres', now: () => new Date() };
      for (const operation of operations) {
        const { call } = operation;
        if (typeof call === 'string') {
          rows.push({ label: operation.label, skipped: call });
          verdicts.push(`${operation.label}: skipped: ${call}`);
          continue;
        }
        const queries = await captureQueries(database.knex, () => call(domain));
        const timing = await timeCalls(() => call(domain), ctx.runs ?? 30);
        rows.push({ label: operation.label, measurement: { wall: timing, cpu: summarize([]), samples: [] } });
        const plans: string[] = [];
        const scans = new Set<string>();
        let serverMs = 0;
        for (const query of queries.filter((q) => isSelect(q.sql))) {
          const plan = await explainAnalyze(database.knex, query);
          serverMs += executionTime(plan);
          const scanned = sequentialScans(plan, BIG_TABLES);
          for (const table of scanned) scans.add(table);
          plans.push(
            `\`\`\`sql\n${query.sql}\n-- bindings: ${JSON.stringify(query.bindings)}\n\`\`\`\n\n\`\`\`\n${plan}\n\`\`\`\n` +
              `(server execution ${formatMs(executionTime(plan))})`,
          );
          if (scanned.length > 0) plans.push(await withoutHashJoin(database.knex, query, plan));
          const before = formerOverlapQuery(query);
          if (before) plans.push(await formerOverlapPlan(database.knex, before, plan));
          if (plan.includes(RESCHEDULE_INDEX)) plans.push(await withoutRescheduleIndex(database.knex, query, plan));
        }
        const met = timing.median < LIMIT_MS;
        verdicts.push(
          `${operation.label}: median ${formatMs(timing.median)} (${operation.untimed ?? `${met ? 'met' : 'MISSED'}, target < ${LIMIT_MS} ms`}), ` +
            `${queries.length} statement(s), ${formatMs(serverMs)} of it in the server (EXPLAIN ANALYZE); ` +
            (scans.size === 0 ? 'no sequential scan on a large table.' : `a sequential scan on ${[...scans].join(', ')} (see its plan below).`),
        );
        details.push(`### ${operation.label}`, '', ...plans);
      }
    } finally {
      await database.close();
    }
    return { id: this.id, title: this.title, target: this.target, rows, verdicts, details: details.join('\n\n') };
  },
};

async function insertAdmin(knex: Knex): Promise<Actor> {
  const [row] = await knex('users').insert({ username: 'benchadmin', full_name: 'Bench Admin', role: 'admin' }).returning(['id', 'username', 'role']);
  return row as Actor;
}

/** What the planner does without hash and merge joins: does an index-only path beat its choice? */
async function withoutHashJoin(knex: Knex, query: CapturedQuery, chosen: string): Promise<string> {
  const alternative = await explainAnalyze(knex, query, { enable_hashjoin: 'off', enable_mergejoin: 'off' });
  return (
    `The sequential scan above is the planner's choice of a hash join over the whole table. The same statement with hash and merge joins disabled (what-if, in a rolled-back transaction):\n\n` +
    `\`\`\`\n${alternative}\n\`\`\`\n` +
    `(server execution ${formatMs(executionTime(alternative))} against ${formatMs(executionTime(chosen))} for the planner's choice, on this run)`
  );
}

const RESCHEDULE_INDEX = 'appointments_rescheduled_from_idx';

/** The same statement as before migration 20261203090000 made the index: before and after in one run. */
async function withoutRescheduleIndex(knex: Knex, query: CapturedQuery, after: string): Promise<string> {
  const plan = await explainAnalyze(knex, query, {}, [RESCHEDULE_INDEX]);
  return (
    `Before: the same statement without ${RESCHEDULE_INDEX} (dropped in a rolled-back transaction), as it ran before migration 20261203090000:\n\n` +
    `\`\`\`\n${plan}\n\`\`\`\n` +
    `(server execution before ${formatMs(executionTime(plan))}, after ${formatMs(executionTime(after))}, on this run)`
  );
}

/**
 * The overlap search as it was written before the fix in findActiveOverlapping
 * (`starts_at < to AND ends_at > from`), to show the plan it had: before and after in one run.
 */
function formerOverlapQuery(query: CapturedQuery): CapturedQuery | undefined {
  const match = /tstzrange\(a\.starts_at, a\.ends_at\) && tstzrange\((\$\d+), (\$\d+)\)/.exec(query.sql);
  if (!match) return undefined;
  return { sql: query.sql.replace(match[0], `"a"."starts_at" < ${match[2]} and "a"."ends_at" > ${match[1]}`), bindings: query.bindings };
}

async function formerOverlapPlan(knex: Knex, before: CapturedQuery, after: string): Promise<string> {
  const plan = await explainAnalyze(knex, before);
  return (
    'Before: the same search as it was first written (`starts_at < to AND ends_at > from`), which the GiST indexes of the exclusion constraints cannot use for the time range, so every active appointment of the doctor is read:\n\n' +
    `\`\`\`sql\n${before.sql}\n\`\`\`\n\n\`\`\`\n${plan}\n\`\`\`\n` +
    `(server execution before ${formatMs(executionTime(plan))}, after ${formatMs(executionTime(after))}, on this run)`
  );
}
