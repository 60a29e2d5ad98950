import type { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { examplesIn } from '../../src/cli/help.js';
import { isAskedOption } from '../../src/cli/prompting.js';
import { processIO } from '../../src/cli/io.js';
import { buildProgram } from '../../src/cli/program.js';
import { runCli } from '../support/cli.js';
import { spawnClinic } from '../support/spawn.js';

/**
 * Help that teaches: every page (program, nouns, verbs) shows 2–4 examples that name real
 * commands and flags, marks required options and lists the global options; usage errors end by
 * naming the help of the command they are about.
 */
const program = (await buildProgram(new CliContext({ io: processIO(), env: {} }))) as unknown as Command;

function pages(command: Command, path: string[] = []): Array<{ path: string[]; command: Command }> {
  return [{ path, command }, ...(command.commands as Command[]).flatMap((sub) => pages(sub, [...path, sub.name()]))];
}
const everyPage = pages(program).filter(({ command }) => !(command as unknown as { _hidden: boolean })._hidden);

const GLOBALS = [
  '--json',
  '--no-input',
  '--data-dir <dir>',
  '--database-url <url>',
  '--debug',
  '-y, --yes',
  '--lock-timeout <seconds>',
  '--no-color',
  '-q, --quiet',
];

/** Shell words of one example line, up to a redirection or a pipe (quotes honoured, no expansion). */
function clinicWords(line: string): string[] {
  const words = [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  const segments: string[][] = [[]];
  for (const word of words) {
    if (['|', '<', '>', '&&'].includes(word)) segments.push([]);
    else segments.at(-1)!.push(word);
  }
  // `echo … | clinic …`, `CLINIC_ENV=production clinic …`: the part that runs clinic.
  const segment = segments.find((words) => words.some((w) => w === 'clinic'))!;
  return segment.slice(segment.indexOf('clinic') + 1);
}

function findOption(command: Command, flag: string): Option | undefined {
  for (let at: Command | null = command; at; at = at.parent) {
    const option = (at.options as Option[]).find((o) => o.long === flag || o.short === flag);
    if (option) return option;
  }
  return undefined;
}

/** Problems of one example as Commander would parse it: an unknown command or flag, a wrong number of arguments. */
function problemsOf(line: string): string[] {
  const words = clinicWords(line);
  let command = program;
  const positionals: string[] = [];
  const problems: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith('-') && word !== '-') {
      const [flag] = word.split('=');
      const option = findOption(command, flag!);
      if (!option) problems.push(`unknown flag ${flag}`);
      else if ((option.required || option.optional) && !word.includes('=')) i++;
      continue;
    }
    const sub = positionals.length === 0 ? (command.commands as Command[]).find((c) => c.name() === word) : undefined;
    if (sub) command = sub;
    else positionals.push(word);
  }
  if (command.commands.length > 0 && command.name() !== 'help') problems.push(`${command.name()} needs a verb`);
  const declared = command.registeredArguments;
  const variadic = declared.some((a) => a.variadic);
  if (positionals.length < declared.filter((a) => a.required).length || (!variadic && positionals.length > declared.length)) {
    problems.push(`${positionals.length} arguments for ${declared.length}`);
  }
  return problems;
}

describe('every help page', () => {
  it('covers the whole tree (nouns, verbs, and the nested ones)', () => {
    const names = everyPage.map(({ path }) => path.join(' '));
    expect(names).toEqual(expect.arrayContaining(['', 'appointments', 'appointments book', 'doctors hours', 'doctors hours set', 'db server stop', 'help']));
    expect(names.length).toBeGreaterThan(60);
  });

  it.each(everyPage.map(({ path, command }) => [path.join(' ') || '(program)', path, command] as const))(
    '%s: 2–4 examples of real commands, required options marked, the global options listed',
    async (_name, path, command) => {
      const result = await runCli([...path, '--help']);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      const shown = examplesIn(result.stdout);
      expect(shown.length).toBeGreaterThanOrEqual(2);
      expect(shown.length).toBeLessThanOrEqual(4);
      for (const line of shown) expect(problemsOf(line), line).toEqual([]);
      const globals = result.stdout.split('Global options:\n')[1] ?? '';
      for (const flag of GLOBALS) expect(globals, flag).toContain(flag);
      for (const option of command.options as Option[]) {
        const row = result.stdout.split('\n').findIndex((l) => l.startsWith(`  ${option.flags} `));
        const text = result.stdout
          .split('\n')
          .slice(row, row + 4)
          .join(' ')
          .split(/\n {2}-/)[0]!;
        // mandatory to Commander, or asked on a terminal when missing ("required unless --next-available")
        expect(/\(required( unless\s+--[a-z-]+)?\)/.test(text), option.flags).toBe(option.mandatory || isAskedOption(option));
      }
    },
  );

  it('the example checker catches a wrong flag, a wrong verb and a missing argument', () => {
    expect(problemsOf('clinic appointments book --patien x')).toContain('unknown flag --patien');
    expect(problemsOf('clinic appointments bok')).not.toEqual([]);
    expect(problemsOf('clinic doctors hours set dr.silva mon')).toEqual(['2 arguments for 3']);
    expect(problemsOf('echo hi | clinic messages send --to dr.silva')).toEqual([]);
  });
});

describe('clinic help COMMAND…', () => {
  it.each([[['appointments', 'book']], [['doctors', 'hours', 'set']], [['appointments']], [[]]])('help %j prints what --help prints', async (path) => {
    const viaHelp = await runCli(['help', ...path]);
    const viaFlag = await runCli([...path, '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stderr).toBe('');
    expect(viaHelp.stdout).toBe(viaFlag.stdout);
    expect(viaHelp.stdout).toContain(`Usage: clinic ${path.length ? `${path.join(' ')} ` : ''}[options]`);
  });

  it('an unknown command is a usage error naming the help to read', async () => {
    const result = await runCli(['help', 'appointments', 'bok']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("Error: unknown command 'bok' of 'clinic appointments'\nSee 'clinic appointments --help'.\n");
  });
});

describe('usage errors (the binary as a user runs it)', () => {
  it('a misspelt required flag suggests the right one, even though the required one is then missing', async () => {
    const result = await spawnClinic(['appointments', 'book', '--patien', 'joao.p', '--doctor', 'dr.silva']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe("Error: unknown option '--patien'\n(Did you mean --patient?)\nSee 'clinic appointments book --help'.\n");
  });

  it('--help still wins over an unknown option', async () => {
    const result = await spawnClinic(['appointments', 'book', '--patien', 'x', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: clinic appointments book');
  });

  it.each([
    [
      ['appointments', 'book', '--doctor', 'dr.silva'],
      'Missing --patient, --date and --time (or --next-available for --date and --time).\nPass --patient, --date and --time (or --next-available for --date and --time); prompts need a terminal and no --no-input.',
      'clinic appointments book --help',
    ],
    [['appointments', 'bok'], "unknown command 'bok'\n(Did you mean book?)", 'clinic appointments --help'],
    [['doctors', 'hours', 'set', 'dr.silva'], "missing required argument 'days'", 'clinic doctors hours set --help'],
    [['apointments'], "unknown command 'apointments'\n(Did you mean appointments?)", 'clinic --help'],
    [['whoami', 'extra'], "too many arguments for 'whoami'. Expected 0 arguments but got 1.", 'clinic whoami --help'],
  ])('%j ends with "See \'…\'."', async (args, message, help) => {
    const result = await spawnClinic(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`Error: ${message}\nSee '${help}'.\n`);
  });

  it('with --json the help to read is the remedy', async () => {
    const result = await spawnClinic(['appointments', 'book', '--patien', 'x', '--json']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(JSON.parse(result.stderr)).toEqual({
      error: { code: 'USAGE', message: "unknown option '--patien'\n(Did you mean --patient?)", remedy: "See 'clinic appointments book --help'." },
    });
  });

  it('a usage error raised by a command itself names that command too', async () => {
    const result = await spawnClinic(['db', 'server', 'status', '--database-url', 'postgres://nobody@127.0.0.1:1/none']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\nSee 'clinic db server status --help'\.\n$/);
  });
});
