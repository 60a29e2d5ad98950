import type { CliContext, CliDeps } from './context.js';
import { processIO } from './io.js';
import { VERSION } from './version.js';

/**
 * The CLI entry: parses argv, runs one command, maps any error to an exit code, and releases the
 * database on every path. Returns the exit code; a real process also gets it as process.exitCode.
 *
 * Everything but this file loads on demand (the bundle keeps dynamic imports lazy), so that
 * `clinic --version` answers without loading Commander and the command tree.
 */
export async function run(argv: readonly string[], deps?: Partial<CliDeps>): Promise<number> {
  const standalone = deps === undefined;
  if (isBareVersionRequest(argv)) {
    // Exactly what Commander prints for `--version` / `-V`, without building the program.
    (deps?.io ?? processIO()).stdout.write(`${VERSION}\n`);
    if (standalone) process.exitCode = 0;
    return 0;
  }
  const [{ CliContext }, { ExitCode }, { buildProgram }] = await Promise.all([
    import('./context.js'),
    import('./exit-codes.js'),
    import('./program.js'),
  ]);
  const ctx = new CliContext({ io: processIO(), env: process.env, ...deps });
  const program = buildProgram(ctx);
  const stopInterrupt = standalone ? onInterrupt(ctx, ExitCode.interrupted) : () => {};
  let exitCode: number = ExitCode.ok;
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    exitCode = await report(ctx, error, argv);
  } finally {
    await ctx.close().catch(() => {});
    stopInterrupt();
  }
  if (standalone) process.exitCode = exitCode;
  return exitCode;
}

function isBareVersionRequest(argv: readonly string[]): boolean {
  return argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V');
}

async function report(ctx: CliContext, error: unknown, argv: readonly string[]): Promise<number> {
  // From the bundle, not `import('@commander-js/extra-typings')`: that would start the ES module loader.
  const [{ CommanderError }, { ExitCode, describeError }, { terminalSafe }] = await Promise.all([import('./program.js'), import('./exit-codes.js'), import('./output.js')]);
  if (error instanceof CommanderError) {
    // --help and --version end with a CommanderError whose exit code is 0.
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    if (error.code === 'commander.help') return ExitCode.ok;
  }
  const described = await describeError(error);
  const json = ctx.globals.json || argv.includes('--json');
  const debug = ctx.globals.debug || argv.includes('--debug');
  if (json) {
    const payload = {
      error: {
        code: described.code,
        message: described.message,
        ...(described.remedy ? { remedy: described.remedy } : {}),
        ...(described.rows ? { rows: described.rows } : {}),
      },
    };
    ctx.io.stderr.write(`${JSON.stringify(payload)}\n`);
  } else {
    const hint = described.remedy ? `\n${described.remedy}` : '';
    const usageHint = described.exitCode === ExitCode.usage && error instanceof CommanderError ? '\nSee `clinic --help`, or add --help to the command.' : '';
    const rows = described.rows?.map((row) => `\n  line ${row.line}: ${row.error}`).join('') ?? '';
    ctx.io.stderr.write(`${terminalSafe(`Error: ${described.message}${rows}${hint}${usageHint}`, { lineBreaks: true })}\n`);
  }
  if (debug) {
    const stack = (error as Error | null)?.stack ?? String(error);
    const cause = (error as { cause?: Error } | null)?.cause;
    ctx.io.stderr.write(`${stack}\n${cause?.stack ? `Caused by: ${cause.stack}\n` : ''}`);
  }
  return described.exitCode;
}

/** Ctrl-C: release the database cleanly (the embedded one must checkpoint), then exit 130. */
function onInterrupt(ctx: CliContext, interruptedCode: number): () => void {
  const handler = () => {
    ctx.io.stderr.write('\nInterrupted.\n');
    void ctx.close().finally(() => process.exit(interruptedCode));
  };
  process.once('SIGINT', handler);
  process.once('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}
