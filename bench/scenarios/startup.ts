import path from 'node:path';
import { ROOT, baseEnv, clinicProcess, measureInterleaved, nodeProcess } from '../lib/proc.js';
import type { Section } from '../lib/report.js';
import { ratioVerdict, type Scenario } from '../lib/scenario.js';
import { formatRatio, ratio } from '../lib/stats.js';

const LIMIT = 1.3;
/** What any help needs before printing a line: Node plus the Commander package (the CLI framework). */
const COMMANDER_FLOOR = 'node + require(commander) (floor of --help)';
/** What --version cannot avoid beyond `node -e 0`: opening stdout and writing one line. */
const PRINT_FLOOR = 'node printing one line (floor of --version)';

/** Scenario 1: how fast the CLI answers when it needs no database at all. */
export const startup: Scenario = {
  id: 'startup',
  title: '1. Startup: --version and --help',
  target: `\`clinic --version\` and \`clinic --help\` within ${LIMIT}× \`node -e 0\` (a Node process that does nothing).`,
  async run(ctx): Promise<Section> {
    const home = ctx.resources.tempDir('startup');
    const env = baseEnv({ HOME: home, XDG_CONFIG_HOME: `${home}/config`, XDG_DATA_HOME: `${home}/data` });
    const results = await measureInterleaved(
      {
        'node -e 0': nodeProcess(['-e', '0'], { env }),
        [PRINT_FLOOR]: nodeProcess(['-e', 'process.stdout.write("0.1.0\\n")'], { env }),
        [COMMANDER_FLOOR]: nodeProcess(['-e', `require(${JSON.stringify(path.join(ROOT, 'node_modules', '@commander-js', 'extra-typings'))})`], { env }),
        'clinic --version': clinicProcess(['--version'], { env }),
        'clinic --help': clinicProcess(['--help'], { env }),
      },
      { runs: ctx.runs ?? 20, warmup: 2 },
    );
    const base = results['node -e 0']!;
    const verdicts = (['clinic --version', 'clinic --help'] as const).map((label) =>
      ratioVerdict(label, ratio(results[label]!.wall.median, base.wall.median), ratio(results[label]!.cpu.median, base.cpu.median), LIMIT),
    );
    const printing = results[PRINT_FLOOR]!;
    const version = results['clinic --version']!;
    verdicts.push(
      `clinic --version over its floor (Node printing one line): wall ${formatRatio(ratio(version.wall.median, printing.wall.median))}, CPU ${formatRatio(ratio(version.cpu.median, printing.cpu.median))}; ` +
        `the floor itself is ${formatRatio(ratio(printing.cpu.median, base.cpu.median))} \`node -e 0\` in CPU.`,
    );
    const floor = results[COMMANDER_FLOOR]!;
    const help = results['clinic --help']!;
    verdicts.push(
      `clinic --help over its floor (Node + Commander alone): wall ${formatRatio(ratio(help.wall.median, floor.wall.median))}, CPU ${formatRatio(ratio(help.cpu.median, floor.cpu.median))}; ` +
        `the floor itself is ${formatRatio(ratio(floor.cpu.median, base.cpu.median))} \`node -e 0\` in CPU.`,
    );
    return {
      id: this.id,
      title: this.title,
      target: this.target,
      rows: Object.entries(results).map(([label, measurement]) => ({ label, measurement, ...(label === 'node -e 0' ? {} : { baseline: 'node -e 0' }) })),
      verdicts,
      details: DETAILS,
    };
  },
};

const DETAILS = `
What the CLI does to start fast (src/cli/run.ts, src/cli/program.ts, bin/clinic.js):
- the CLI is one CommonJS bundle (dist/clinic.cjs, esbuild); its launcher bin/clinic.js is CommonJS too
  (bin/package.json says so), so a run never starts Node's ES module loader unless a command needs an
  ESM-only package (chalk, inquirer) — an ESM entry file alone cost ~10 ms of CPU here;
- \`clinic --version\` (alone) is answered by run() before Commander and the command tree are loaded;
- everything else in src/cli loads on demand: the bundle keeps dynamic imports lazy, and knex, pg, PGlite,
  bcrypt, zod and luxon load only inside the action that needs them;
- \`--help\` cannot skip Commander, which builds the text: its floor is the "node + require(commander)" row.

What remains: \`--version\` pays for opening stdout and writing (the "node printing one line" row) and
for reading and compiling the bundle (~250 KB, every command's code; a minified build measured the
same here, so it is the parsing of the code, not its size in bytes); \`--help\` then builds the whole
command tree (~60 commands and their options) in Commander and formats it. Registering only the
invoked noun's verbs would cut the latter, but needs each noun's index.ts to separate the noun from
its verbs; it was not done here.
`;
