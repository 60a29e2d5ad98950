import type { IO } from './io.js';
import { UsageError } from './usage-error.js';

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
      throw new UsageError(`Missing ${flag}.`, `Pass ${flag} (prompts need a terminal and no --no-input).`);
    }
  }

  async text(flag: string, message: string, validate?: (value: string) => true | string): Promise<string> {
    this.ensure(flag);
    const { input } = await import('@inquirer/prompts');
    return input({ message, required: true, ...(validate ? { validate } : {}) }, this.context());
  }

  async password(flag: string, message: string): Promise<string> {
    this.ensure(flag);
    const { password } = await import('@inquirer/prompts');
    return password({ message, mask: '*' }, this.context());
  }

  async select<T extends string>(flag: string, message: string, choices: readonly T[]): Promise<T> {
    this.ensure(flag);
    const { select } = await import('@inquirer/prompts');
    return select({ message, choices: choices.map((value) => ({ value })) }, this.context());
  }

  /** Destructive commands: --yes, or a confirmation on a TTY, or a usage error. */
  async confirm(message: string, yes: boolean): Promise<boolean> {
    if (yes) return true;
    if (!this.canPrompt) throw new UsageError(`${message} Refusing without confirmation.`, 'Pass --yes to confirm.');
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message, default: false }, this.context());
  }
}
