import type { IO } from './io.js';
import { NotConfirmedError, UsageError } from './usage-error.js';

/** An answer's rule: true when it holds, else the reason, shown under the question before it is asked again. */
export type PromptCheck = (value: string) => true | string | Promise<true | string>;

/** One item of a list to pick from: the value given to the command, and what the list shows. */
export interface PromptChoice {
  value: string;
  name: string;
  description?: string | undefined;
  /** Shown but not pickable (a line that says more matches exist). */
  disabled?: boolean | string | undefined;
}

/** Asks the person at the terminal; refuses (naming the flag) when nobody can answer. */
export class Prompter {
  constructor(
    private readonly io: IO,
    private readonly allowed: boolean,
  ) {}

  /** DESIGN §4: only when stdin and stdout are TTYs and --no-input is not given. */
  get canPrompt(): boolean {
    return this.allowed && this.io.stdin.isTTY === true && this.io.stdout.isTTY === true;
  }

  private context() {
    return { input: this.io.stdin, output: this.io.stderr } as const;
  }

  private ensure(flag: string): void {
    if (!this.canPrompt) {
      throw new UsageError(`Missing ${flag}.`, `Pass ${flag}; prompts need a terminal and no --no-input.`);
    }
  }

  /** A line of text; an answer the check refuses is asked again with the reason, keeping what was typed. */
  async text(flag: string, message: string, check?: PromptCheck, options: { default?: string | undefined } = {}): Promise<string> {
    this.ensure(flag);
    const { input } = await import('@inquirer/prompts');
    return input(
      {
        message,
        required: true,
        ...(options.default === undefined ? {} : { default: options.default }),
        ...(check ? { validate: check } : {}),
      },
      this.context(),
    );
  }

  /** A masked secret; an answer the check refuses is asked again with the reason. */
  async password(flag: string, message: string, check?: PromptCheck): Promise<string> {
    this.ensure(flag);
    const { password } = await import('@inquirer/prompts');
    return password({ message, mask: '*', ...(check ? { validate: check } : {}) }, this.context());
  }

  /** One of a short, known list (arrow keys, Enter). */
  async select(flag: string, message: string, choices: readonly PromptChoice[]): Promise<string> {
    this.ensure(flag);
    const { select } = await import('@inquirer/prompts');
    return select({ message, choices: choices.map((choice) => ({ ...choice })), pageSize: 10 }, this.context());
  }

  /** One of a set too long to list: type to narrow it (`find` answers each term, the first match is highlighted). */
  async search(flag: string, message: string, find: (term: string, signal: AbortSignal) => Promise<readonly PromptChoice[]>): Promise<string> {
    this.ensure(flag);
    const { search } = await import('@inquirer/prompts');
    return search<string>(
      {
        message,
        pageSize: 10,
        // A term typed over by the next keystroke is not searched for.
        source: async (term, { signal }) => (signal.aborted ? [] : (await find(term?.trim() ?? '', signal)).map((choice) => ({ ...choice }))),
      },
      this.context(),
    );
  }

  /**
   * Destructive commands go on only when confirmed: by --yes, or by a yes typed at a terminal. Without
   * a terminal it is a usage error naming --yes; a no (the default) ends the command, nothing changed.
   */
  async confirm(message: string, yes: boolean): Promise<void> {
    if (yes) return;
    if (!this.canPrompt) throw new UsageError(`${message} Refusing without confirmation.`, 'Pass --yes to confirm.');
    const { confirm } = await import('@inquirer/prompts');
    if (!(await confirm({ message, default: false }, this.context()))) throw new NotConfirmedError();
  }
}
