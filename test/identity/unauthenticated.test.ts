import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Command, Option } from 'commander';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CliContext } from '../../src/cli/context.js';
import { processIO } from '../../src/cli/io.js';
import { isAskedOption } from '../../src/cli/prompting.js';
import { buildProgram } from '../../src/cli/program.js';
import { describeBackends } from '../support/database.js';
import { runCli } from '../support/cli.js';

/**
 * Commands usable without a login: set-up, login itself, the schema, the whole-clinic export and import (README), help,
 * the completion script, and the usernames it completes (none without a login: test/cli/completion.test.ts).
 */
const NO_LOGIN = [/^init$/, /^login$/, /^db\b/, /^export$/, /^import$/, /^help$/, /\bhelp$/, /^completion$/, /^__complete$/];

interface Leaf {
  path: string[];
  command: Command;
}

/** Commands that do something (a noun without verbs yet only prints its help). */
function leaves(command: Command, path: string[] = []): Leaf[] {
  const subcommands = command.commands as Command[];
  if (subcommands.length === 0) return hasAction(command) ? [{ path, command }] : [];
  return subcommands.flatMap((sub) => leaves(sub, [...path, sub.name()]));
}

function hasAction(command: Command): boolean {
  return (command as unknown as { _actionHandler: unknown })._actionHandler != null;
}

/** A value that passes parsing (and ideally the obvious checks) for an argument or option. */
function dummyFor(name: string, choices: readonly string[] | undefined): string {
  if (choices && choices.length > 0) return choices[0]!;
  const n = name.toLowerCase();
  if (/date|since|from|^to$|until|after|before|dob|birth/.test(n)) return '2030-01-07';
  if (/time/.test(n)) return '09:00';
  if (/limit|days|minutes|duration|seed|count|slot|number|^n$|hours?$/.test(n)) return '1';
  if (/file/.test(n)) return '-';
  if (/^id$|-id$/.test(n)) return '00000000-0000-0000-0000-000000000000';
  return 'dummy';
}

function argumentsFor(leaf: Leaf): string[] {
  const args = [...leaf.path];
  for (const argument of leaf.command.registeredArguments) {
    if (argument.required) args.push(dummyFor(argument.name(), argument.argChoices));
  }
  for (const option of leaf.command.options as Option[]) {
    if (!(option.mandatory || isAskedOption(option)) || option.negate) continue;
    args.push(option.long!);
    if (option.required || option.optional) args.push(dummyFor(option.attributeName(), option.argChoices));
  }
  return args;
}

const program = (await buildProgram(new CliContext({ io: processIO(), env: {} }))) as unknown as Command;
const needLogin = leaves(program).filter((leaf) => !NO_LOGIN.some((pattern) => pattern.test(leaf.path.join(' '))));

it('walks the whole command tree, identity commands included', () => {
  const names = needLogin.map((leaf) => leaf.path.join(' '));
  for (const known of ['whoami', 'logout', 'users create', 'users passwd', 'tokens create', 'tokens revoke', 'audit list', 'settings show', 'settings set']) {
    expect(names).toContain(known);
  }
  expect(names).not.toContain('init');
  expect(names).not.toContain('db migrate');
});

describeBackends('every command that needs a login, without one', (db) => {
  let home: string;
  beforeAll(async () => {
    home = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-nologin-'));
  });
  afterAll(async () => {
    await fs.rm(home, { recursive: true, force: true });
  });

  for (const leaf of needLogin) {
    const args = argumentsFor(leaf);
    it(`clinic ${args.join(' ')} → exit 4, naming \`clinic login\``, async () => {
      const result = await runCli(args, { database: db().database, env: { XDG_CONFIG_HOME: home }, stdin: '' });
      expect(result.code, result.stderr).toBe(4);
      expect(result.stderr).toContain('clinic login');
    });
  }
});
