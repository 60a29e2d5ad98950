import path from 'node:path';
import { ROOT, baseEnv, clinicProcess, measureInterleaved, nodeProcess } from '../lib/proc.js';
import type { Section } from '../lib/report.js';
import { ratioVerdict, type Scenario } from '../lib/scenario.js';
import { formatRatio, ratio } from '../lib/stats.js';

const VERSION_LIMIT = 1.2;
const HELP_LIMIT = 1.3;
const LIMITS = { 'clinic --version': VERSION_LIMIT, 'clinic --help': HELP_LIMIT, 'clinic appointments --help': HELP_LIMIT } as const;
/** What any help needs before printing a line: Node plus the Commander package (the CLI framework). */
const COMMANDER_FLOOR = 'node + require(commander) (floor of --help)';
/** What --version cannot avoid beyond `node -e 0`: opening stdout and writing one line. */
const PRINT_FLOOR = 'node printing one line (floor of --version)';

/** Scenario 1: how fast the CLI answers when it needs no database at all. */
export const startup: Scenario = {
  id: 'startup',
  title: '1. Startup: --version and --help',
  target: `\`clinic --version\` within ${VERSION_LIMIT}×, \`clinic --help\` and \`clinic appointments --help\` within ${HELP_LIMIT}× \`node -e 0\` (a Node process that does nothing).`,
  async run(ctx): Promise<Section> {
    const home = ctx.resources.tempDir('startup');
    // The code cache is written by the warm-up runs, as by a user's first run.
    const env = baseEnv({ HOME: home, XDG_CONFIG_HOME: `${home}/config`, XDG_DATA_HOME: `${home}/data`, XDG_CACHE_HOME: `${home}/cache` });
    const results = await measureInterleaved(
      {
        'node -e 0': nodeProcess(['-e', '0'], { env }),
        [PRINT_FLOOR]: nodeProcess(['-e', 'process.stdout.write("0.1.0\\n")'], { env }),
        [COMMANDER_FLOOR]: nodeProcess(['-e', `require(${JSON.stringify(path.join(ROOT, 'node_modules', '@commander-js', 'extra-typings'))})`], { env }),
        'clinic --version': clinicProcess(['--version'], { env }),
        'clinic --help': clinicProcess(['--help'], { env }),
        'clinic appointments --help': clinicProcess(['appointments', '--help'], { env }),
      },
      { runs: ctx.runs ?? 20, warmup: 2 },
    );
    const base = results['node -e 0']!;
    const verdicts = (Object.keys(LIMITS) as Array<keyof typeof LIMITS>).map((label) =>
      ratioVerdict(label, ratio(results[label]!.wall.median, base.wall.median), ratio(results[label]!.cpu.median, base.cpu.median), LIMITS[label]),
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
What the CLI does to start fast (scripts/build.mjs, bin/clinic.js, bin/code-cache.js, src/cli/program.ts):
- the CLI and every pure-JavaScript package it uses are one CommonJS bundle (dist/clinic.cjs, ~1.5 MB,
  ASCII, whitespace-minified); only bcrypt's native binding and PGlite stay in node_modules, and zxcvbn's
  dictionaries (~1.7 MB) have a file of their own that only commands setting a password read;
- bin/clinic.js runs the bundle as a vm.Script with V8's code cache (\${XDG_CACHE_HOME:-~/.cache}/clinic, one
  file per build, Node version and command, written at the end of its first successful run): a run deserializes the
  compiled code instead of parsing 1.5 MB, and reads the file as Latin-1 (the fastest decoding);
- \`clinic --version\` (alone) is answered by run() before Commander and the command tree are built;
- the top-level program knows only the nouns (name and one line); a noun's verbs are built only when it is
  invoked, so \`--help\` builds ten lines and \`appointments --help\` one noun;
- knex, pg, zod and luxon are evaluated only inside the action that needs them (lazy module factories
  of the bundle).
`;
