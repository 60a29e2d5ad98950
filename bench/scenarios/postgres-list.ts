import { clinicUser, initClinic, missingCommand } from '../lib/clinic-env.js';
import { clinicSql, doctorUsername, patientUsername, sampleMonday, type ClinicShape } from '../lib/datagen.js';
import { breakdown } from '../lib/breakdown.js';
import { pgFloor } from '../lib/floors.js';
import { clinicProcess, measureInterleaved, nodeProcess, runChecked, type Measurement, type ProcessSpec } from '../lib/proc.js';
import { skippedSection, type Section } from '../lib/report.js';
import { psqlScript } from '../lib/resources.js';
import { ratioVerdict, type Scenario } from '../lib/scenario.js';
import { formatMs, formatRatio, ratio } from '../lib/stats.js';

const LIMIT = 2;
const BOOK_LIMIT = 2.5;
const PSQL_LIMIT = 2.5;
const MEMORY_LIMIT_MB = 80;
const FLOOR_LABEL = 'floor: node + pg alone, connect + the equivalent query (bench/floor-pg.cjs)';
/** A clinic a few months old: 50 doctors, 20,000 patients, 100,000 appointments. */
export const LIST_SHAPE: ClinicShape = { doctors: 50, patients: 20_000, appointments: 100_000 };

/** What `appointments list --doctor D --date DATE` returns, as one JSON array built by the server. */
export function equivalentListSql(doctor: string, date: string): string {
  if (!/^[a-z0-9]+$/.test(doctor) || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error('bad doctor or date');
  return `SELECT coalesce(json_agg(t), '[]') FROM (
  SELECT a.id, a.patient_id, a.doctor_id, p.username AS patient, d.username AS doctor, a.starts_at, a.ends_at,
         a.reason, a.status, a.cancel_reason, a.rescheduled_from_id, a.created_at, a.updated_at
  FROM appointments AS a JOIN users AS p ON p.id = a.patient_id JOIN users AS d ON d.id = a.doctor_id
  WHERE d.username = '${doctor}' AND a.starts_at >= timestamptz '${date} 00:00:00+00' AND a.starts_at < timestamptz '${date} 00:00:00+00' + interval '1 day'
  ORDER BY a.starts_at) AS t`;
}

/** Scenario 2: a read command on PostgreSQL, logged in, as a terminal user runs it. */
export const postgresList: Scenario = {
  id: 'postgres-list',
  title: '2. appointments list on PostgreSQL',
  target:
    `\`clinic appointments list --json --doctor D --date DATE\`, logged in, within ${LIMIT}× \`node -e 0\` and ${PSQL_LIMIT}× psql running the equivalent query; ` +
    `\`clinic appointments book\` within ${BOOK_LIMIT}× \`node -e 0\`; peak memory of each ≤ ${MEMORY_LIMIT_MB} MB.`,
  async run(ctx): Promise<Section> {
    const url = ctx.resources.createDatabase('list');
    const user = clinicUser(ctx.resources, 'list', { url });
    const missing = (await missingCommand(user, ['init'])) ?? (await missingCommand(user, ['appointments', 'list']));
    if (missing) return skippedSection(this.id, this.title, this.target, missing);

    ctx.log('migrating and generating 100,000 appointments');
    const { migratePostgres } = await import('../lib/schema.js');
    await migratePostgres(url);
    psqlScript(url, clinicSql(LIST_SHAPE));
    await initClinic(user);

    const doctor = doctorUsername(1);
    const date = sampleMonday(LIST_SHAPE);
    const clinicLabel = `clinic appointments list --json --doctor ${doctor} --date ${date}`;
    const clinicSpec = clinicProcess(['appointments', 'list', '--json', '--doctor', doctor, '--date', date], { env: user.env });
    const bookLabel = `clinic appointments book --json --doctor ${doctorUsername(2)} --patient ${patientUsername(1)} --next-available`;
    const bookSpec = clinicProcess(
      ['appointments', 'book', '--json', '--doctor', doctorUsername(2), '--patient', patientUsername(1), '--next-available', '--after', date],
      {
        env: user.env,
      },
    );
    const statements = async (spec: ProcessSpec) =>
      (await runChecked({ ...spec, args: [...spec.args, '--debug'] })).stderr.split('\n').filter((line) => line.startsWith('[sql] ')).length;
    const [listStatements, bookStatements] = [await statements(clinicSpec), await statements(bookSpec)];
    const floor = await pgFloor(ctx.resources);
    const specs: Record<string, ProcessSpec> = {
      'node -e 0': nodeProcess(['-e', '0'], { env: user.env }),
      [FLOOR_LABEL]: floor(equivalentListSql(doctor, date), user.env),
      [clinicLabel]: clinicSpec,
      [bookLabel]: bookSpec,
      'psql (equivalent query)': { command: 'psql', args: ['-X', '-At', '-d', url, '-c', equivalentListSql(doctor, date)], env: user.env },
    };
    const results = await measureInterleaved(specs, { runs: ctx.runs ?? 12, warmup: 1 });

    const listed = JSON.parse(results[clinicLabel]!.samples[0]!.stdout) as unknown[];
    const expected = JSON.parse(results['psql (equivalent query)']!.samples[0]!.stdout) as unknown[];
    if (listed.length !== expected.length) throw new Error(`clinic listed ${listed.length} appointments, the equivalent query ${expected.length}`);
    const [floorRow] = JSON.parse(results[FLOOR_LABEL]!.samples[0]!.stdout) as Array<{ coalesce: unknown[] }>;
    if (floorRow?.coalesce.length !== expected.length) throw new Error(`the floor read ${floorRow?.coalesce.length} appointments, psql ${expected.length}`);

    const base = results['node -e 0']!;
    const product = results[clinicLabel]!;
    const psql = results['psql (equivalent query)']!;
    const book = results[bookLabel]!;
    const pgAlone = results[FLOOR_LABEL]!;
    const memory = (label: string, m: Measurement) =>
      m.peakRss
        ? `${label}: peak memory ${m.peakRss.median.toFixed(0)} MB median, ${m.peakRss.max.toFixed(0)} MB max (${m.peakRss.max <= MEMORY_LIMIT_MB ? 'met' : 'MISSED'}); target ≤ ${MEMORY_LIMIT_MB} MB`
        : `${label}: peak memory not recorded`;
    // Where each command's time goes (the issue asks for it wherever a target is missed).
    ctx.log('profiling appointments list and book');
    const profiles = [
      `### Where \`appointments list\` spends its time (node -e 0: ${base.cpu.median.toFixed(1)} ms CPU)\n\n${await breakdown(clinicSpec, product.cpu.median)}`,
      `### Where \`appointments book\` spends its time\n\n${await breakdown(bookSpec, book.cpu.median)}`,
    ].join('\n\n');
    return {
      id: this.id,
      title: this.title,
      target: this.target,
      rows: [
        { label: 'node -e 0', measurement: base },
        { label: clinicLabel, measurement: product, baseline: 'node -e 0' },
        { label: bookLabel, measurement: book, baseline: 'node -e 0' },
        { label: 'psql (equivalent query)', measurement: psql, baseline: 'node -e 0' },
        { label: FLOOR_LABEL, measurement: pgAlone, baseline: 'node -e 0' },
      ],
      verdicts: [
        ratioVerdict('clinic vs node -e 0', ratio(product.wall.median, base.wall.median), ratio(product.cpu.median, base.cpu.median), LIMIT),
        ratioVerdict('clinic appointments book vs node -e 0', ratio(book.wall.median, base.wall.median), ratio(book.cpu.median, base.cpu.median), BOOK_LIMIT),
        memory('appointments list', product),
        memory('appointments book', book),
        `statements sent (counted from \`--debug\`): appointments list ${listStatements}, appointments book ${bookStatements}.`,
        `clinic vs psql: wall ${formatRatio(ratio(product.wall.median, psql.wall.median))} (${ratio(product.wall.median, psql.wall.median) <= PSQL_LIMIT ? 'met' : 'MISSED'}, target ≤ ${formatRatio(PSQL_LIMIT)}), ` +
          `CPU ${formatRatio(ratio(product.cpu.median, psql.cpu.median))} (psql's CPU is counted in 10 ms ticks); both return the same ${listed.length} appointments.`,
        `the floor (${FLOOR_LABEL}): wall ${formatRatio(ratio(pgAlone.wall.median, base.wall.median))} \`node -e 0\`, CPU ${formatRatio(ratio(pgAlone.cpu.median, base.cpu.median))}; ` +
          `of the ${LIMIT}× target it leaves ${formatMs(Math.max(0, LIMIT * base.wall.median - pgAlone.wall.median))} of wall time for all the rest (the session, the schema check, the doctor lookup, knex, the output). ` +
          `appointments list is ${formatMs(product.wall.median - pgAlone.wall.median)} over it.`,
      ],
      details: `${WHY}\n\n${profiles}\n\nData: ${LIST_SHAPE.doctors} doctors, ${LIST_SHAPE.patients.toLocaleString('en')} patients, ${LIST_SHAPE.appointments.toLocaleString('en')} appointments (bench/lib/datagen.ts); logged in with \`clinic init\` (a session file). The equivalent query:\n\n\`\`\`sql\n${equivalentListSql(doctor, date)}\n\`\`\``,
    };
  },
};

const WHY = `
What a command on PostgreSQL costs beyond \`node -e 0\`: reading dist/clinic.cjs (one file, ~1.6 MB) and
deserializing its V8 code cache (bin/code-cache.js) instead of resolving and compiling hundreds of
files in node_modules; evaluating the modules of knex, pg, zod and luxon that the command reaches
(and the built-in modules they need: net, crypto, stream); connecting; then its statements.
Statements: the schema check takes one (\`schemaCheck\`, src/db/migrations.ts); resolving and touching
the session, the user's standing and the clinic's settings take two (src/domain/identity/sessions.ts);
then the command's own: list looks up the doctor and reads the day; book looks up the doctor and the
patient with their panel, and in one transaction reads the doctor's hours, time-off and the times of
the parties' active appointments over a week (the rest of the 90-day horizon only when that week is
full), inserts, audits (the exclusion constraints back the clash check). \`--debug\` prints them; the
tables below time each one.

The floor row is what no client of this server can go below: pg alone, in one bundle loaded through
the same code cache, connects and runs the equivalent query. About half of its cost beyond \`node -e 0\` is the server's
(the rest is loading pg and the built-in modules it needs, net and crypto): a new connection is a new backend process (~12 ms here, measured with a warm client), and a
new backend's first query runs with cold catalog caches (\`\\timing\` in psql: ~15 ms for the
equivalent query on a new connection, ~1.5 ms when repeated on it). What the 2× target leaves over
the floor is in the verdicts above.
`.trim();
