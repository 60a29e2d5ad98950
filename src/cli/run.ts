import type { Command } from '@commander-js/extra-typings';
import type { CliContext, CliDeps, StopReason } from './context.js';
import { onStdoutError, processIO } from './io.js';
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
  const version = versionRequest(argv);
  if (version) {
    // Exactly what Commander prints for `--version` / `-V`, without building the program; with --json, one object.
    (deps?.io ?? processIO()).stdout.write(version === 'json' ? `${JSON.stringify({ version: VERSION })}\n` : `${VERSION}\n`);
    if (standalone) process.exitCode = 0;
    return 0;
  }
  const [{ CliContext }, { ExitCode }, { buildProgram }] = await Promise.all([import('./context.js'), import('./exit-codes.js'), import('./program.js')]);
  const ctx = new CliContext({ io: processIO(), env: process.env, ...deps });
  const program = await buildProgram(ctx, argv);
  const stopInterrupt = standalone ? onInterrupt(ctx, argv, ExitCode.interrupted) : () => {};
  if (standalone) {
    onStdoutError(process.stdout, {
      closed: () => stopWithin(ctx, 'stdout-closed', ExitCode.ok),
      failed: (error) => {
        if (ctx.stopReason) return;
        stopWithin(ctx, 'stdout-failed', ExitCode.unexpected);
        void reportOutputFailure(ctx, argv, error);
      },
    });
  }
  let exitCode: number = ExitCode.ok;
  // A command whose work stopped waiting on anything (Node would end the process with its work
  // unsettled) must not look like a success: say so, and exit 1.
  const unfinished = () => {
    ctx.io.stderr.write(
      'Error: the command stopped before it finished (a bug in clinic); what it was doing may or may not have been written.\nCheck the result (e.g. with `list`), rerun with --debug, and report it.\n',
    );
    process.exitCode = ExitCode.unexpected;
  };
  process.once('beforeExit', unfinished);
  try {
    await program.parseAsync(argv as string[]);
  } catch (error) {
    exitCode = await report(ctx, error, argv, program);
  } finally {
    await ctx.close().catch(() => {});
    stopInterrupt();
    process.off('beforeExit', unfinished);
  }
  if (ctx.stopReason === 'stdout-failed') exitCode = ExitCode.unexpected;
  if (standalone) process.exitCode = exitCode;
  return exitCode;
}

/** The longest part of an error a terminal shows: a 100 KB name is not echoed whole (--json keeps it), while the
 * longest message the CLI writes itself (db rollback naming every table it drops, ~700) stays whole. */
const SHOWN_CHARACTERS = 2_000;

function clip(text: string): string {
  return text.length <= SHOWN_CHARACTERS ? text : `${text.slice(0, SHOWN_CHARACTERS)}… (${text.length - SHOWN_CHARACTERS} more characters)`;
}

/** JSON errors: --json, or --fields (which implies it), even when the options failed to parse. */
function wantsJson(ctx: CliContext, argv: readonly string[]): boolean {
  return ctx.globals.json || argv.some((arg) => arg === '--json' || arg === '--fields' || arg.startsWith('--fields='));
}

/** `clinic --version` (or -V) alone, or with --json in either order. */
function versionRequest(argv: readonly string[]): 'plain' | 'json' | null {
  const args = argv.slice(2);
  const asked = args.filter((arg) => arg === '--version' || arg === '-V').length === 1;
  if (!asked || args.length > 2) return null;
  if (args.length === 1) return 'plain';
  return args.includes('--json') ? 'json' : null;
}

async function report(ctx: CliContext, thrown: unknown, argv: readonly string[], program: Command): Promise<number> {
  // From the bundle, not `import('@commander-js/extra-typings')`: that would start the ES module loader.
  const [{ CommanderError, helpFor }, { ExitCode, describeError }, { InterruptedError }, { terminalSafe }, { NotConfirmedError }] = await Promise.all([
    import('./program.js'),
    import('./exit-codes.js'),
    import('../domain/errors.js'),
    import('./output.js'),
    import('./usage-error.js'),
  ]);
  // Whatever an operation throws on its way out after being told to stop is the stop itself.
  if (ctx.stopReason === 'stdout-closed') return ExitCode.ok;
  if (ctx.stopReason === 'stdout-failed') return ExitCode.unexpected;
  const error = ctx.stopReason === 'interrupted' ? new InterruptedError('Interrupted.', { cause: thrown }) : thrown;
  if (error instanceof CommanderError) {
    // --help and --version end with a CommanderError whose exit code is 0.
    if (error.exitCode === 0 || error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.ok;
    if (error.code === 'commander.help') return ExitCode.ok;
  }
  const described = await describeError(error);
  // Every usage error ends by naming the help of the command it was about (a no to a confirmation misused nothing).
  const seeHelp = described.exitCode === ExitCode.usage && !(error instanceof NotConfirmedError) ? `See '${helpFor(program)}'.` : undefined;
  const json = wantsJson(ctx, argv);
  const debug = ctx.globals.debug || argv.includes('--debug');
  if (json) {
    const payload = {
      error: {
        code: described.code,
        ...(described.reason ? { reason: described.reason } : {}),
        message: described.message,
        ...(described.remedy || seeHelp ? { remedy: described.remedy ?? seeHelp } : {}),
        ...(described.rows ? { rows: described.rows } : {}),
      },
    };
    ctx.io.stderr.write(`${JSON.stringify(payload)}\n`);
  } else {
    // Messages quote what was typed: each part is one line, its line breaks and tabs shown as \xNN
    // (a CR or LF in a name could otherwise fake a line of output); Commander's own keep theirs.
    const oneLine = (text: string) => clip(terminalSafe(text, { lineBreaks: error instanceof CommanderError }));
    const hint = described.remedy ? `\n${oneLine(described.remedy)}` : '';
    const usageHint = seeHelp ? `\n${seeHelp}` : '';
    let rows = '';
    if (described.rows) {
      const { LISTED_REJECTS, moreRejectsLine, writeRejectsReport } = await import('./import-io.js');
      rows = described.rows
        .slice(0, LISTED_REJECTS)
        .map((row) => `\n  line ${row.line}: ${oneLine(row.error)}`)
        .join('');
      if (described.rows.length > LISTED_REJECTS) {
        const report = await writeRejectsReport(ctx.env, described.rows).catch(() => undefined);
        rows += report
          ? `\n  ${moreRejectsLine(described.rows.length - LISTED_REJECTS, report)}`
          : `\n  … and ${described.rows.length - LISTED_REJECTS} more rows`;
      }
    }
    const label = described.code === 'INTERRUPTED' ? '' : 'Error: ';
    ctx.io.stderr.write(`${label}${oneLine(described.message)}${rows}${hint}${usageHint}\n`);
  }
  if (debug) {
    const stack = (error as Error | null)?.stack ?? String(error);
    const cause = (error as { cause?: Error } | null)?.cause;
    ctx.io.stderr.write(`${stack}\n${cause?.stack ? `Caused by: ${cause.stack}\n` : ''}`);
  }
  return described.exitCode;
}

/**
 * stdout could not be written (ENOSPC, EIO, EBADF…): said once on stderr, in the run's format; the
 * command is told to stop, and the run ends with exit 1.
 */
async function reportOutputFailure(ctx: CliContext, argv: readonly string[], error: NodeJS.ErrnoException): Promise<void> {
  const { describeWriteFailure } = await import('./output-file.js');
  const message = `Could not write the output (${describeWriteFailure(error)}): what was written is incomplete.`;
  const remedy = 'Whatever the command changed in the clinic stands; check it with a list or show command, then write the output where there is room.';
  ctx.io.stderr.write(wantsJson(ctx, argv) ? `${JSON.stringify({ error: { code: 'OUTPUT', message, remedy } })}\n` : `Error: ${message}\n${remedy}\n`);
}

/** How long an operation that was told to stop may take to roll back and release the database. */
const STOP_DEADLINE_MS = 3_000;

/**
 * Ctrl-C or SIGTERM: the command's long operations stop between rows and roll back (their
 * transaction, then the database, are released as on any error) and the run exits 130. One that
 * does not stop in time is not waited for: a server rolls back the open transaction when the
 * connection drops, PGlite on its next start. A second signal exits at once.
 */
function onInterrupt(ctx: CliContext, argv: readonly string[], interruptedCode: number): () => void {
  const handler = () => {
    if (ctx.stopReason === 'interrupted') process.exit(interruptedCode);
    stopWithin(ctx, 'interrupted', interruptedCode, () => {
      ctx.io.stderr.write(wantsJson(ctx, argv) ? '{"error":{"code":"INTERRUPTED","message":"Interrupted."}}\n' : '\nInterrupted.\n');
    });
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/** Tells the command to stop; exits with `code` if it has not ended by the deadline. */
function stopWithin(ctx: CliContext, reason: StopReason, code: number, onDeadline?: () => void): void {
  if (ctx.stopReason) return;
  ctx.stop(reason);
  setTimeout(() => {
    if (process.exitCode === undefined) onDeadline?.();
    process.exit(process.exitCode ?? code);
  }, STOP_DEADLINE_MS).unref();
}
