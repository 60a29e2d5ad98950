import { Help, type CommandUnknownOpts, type Option } from '@commander-js/extra-typings';
import { requiredNote } from './prompting.js';

/**
 * What every help page shows besides Commander's own: required options marked, the global
 * options (gh's "INHERITED FLAGS"), and the examples of the command, which are static text so
 * that `--help` loads nothing to build them.
 */
export function examples(...commandLines: string[]): string {
  return `\nExamples:\n${commandLines.map((line) => `  $ ${line}`).join('\n')}\n`;
}

/** The examples a help page ends with (the text `examples` wrote): for tests that run them. */
export function examplesIn(helpText: string): string[] {
  const section = helpText.split('\nExamples:\n')[1] ?? '';
  return [...section.matchAll(/^ {2}\$ (.+)$/gm)].map((match) => match[1]!);
}

/** `clinic appointments book --help`: what a usage error tells the user to read. */
export function helpInvocation(command: CommandUnknownOpts): string {
  const names: string[] = [];
  for (let at: CommandUnknownOpts | null = command; at; at = at.parent) names.unshift(at.name());
  return `${names.join(' ')} --help`;
}

/** The help settings of one command (Commander's are not inherited by commands built with `new Command`). */
export function configureHelpOf(command: CommandUnknownOpts): void {
  const isProgram = command.parent === null;
  command.configureHelp({
    showGlobalOptions: true,
    sortSubcommands: false,
    optionDescription(this: Help, option: Option) {
      const description = Help.prototype.optionDescription.call(this, option);
      const note = requiredNote(option);
      return note ? `${description} (${note})` : description;
    },
    // The program's own options are the global options of every command.
    styleTitle: (title: string) => (title === 'Global Options:' || (isProgram && title === 'Options:') ? 'Global options:' : title),
  });
}
