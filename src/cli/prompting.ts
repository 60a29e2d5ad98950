import { Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CliContext } from './context.js';
import type { PromptCheck, PromptChoice } from './prompter.js';
import { UsageError } from './usage-error.js';

/**
 * The required values of a verb, in one place. Each is an option of the verb's declaration, named
 * by its attribute (`username` for `--username`): the question is the option's description, the
 * check the same rule the domain applies to the flag's value, and the choices the option's own
 * `.choices()`, a list, or a search. On a terminal (without --no-input) a missing value is asked,
 * and an answer the check refuses is asked again with the reason; otherwise the command stops with
 * exit 2 naming every missing flag.
 *
 * Nothing is held while the person types: the verb asks before it opens the database, and a
 * search reads through `ctx.briefly`, which opens the database for the read and closes it again.
 */
export interface RequiredValue {
  /** The rule of the value (given the values known so far): throws the error (a ValidationError) whose message is the reason to ask again. */
  check?: (value: string, values: Readonly<Record<string, unknown>>) => unknown;
  /**
   * A known, short list to pick from (else the option's `.choices()`, if it declares some); or the
   * list that the values known so far (given or answered) make, read briefly; none: typed instead.
   */
  choices?: readonly PromptChoice[] | ((values: Readonly<Record<string, unknown>>) => Promise<readonly PromptChoice[] | undefined>);
  /** A set too big to list: the matches of the typed term, read briefly. */
  search?: (term: string, signal: AbortSignal) => Promise<readonly PromptChoice[]>;
  /** The question, when the option's description does not read as one. */
  question?: string;
  /** Masked, and never echoed. */
  secret?: boolean;
  /** What Enter alone answers (a text question). */
  default?: string;
}

/** The asked options, each with the flag that stands in for it, if any (help: "required unless --next-available"). */
const ASKED = new WeakMap<object, { unless?: string | undefined }>();

/**
 * An option the verb needs, declared as such: missing, it is asked on a terminal (askForMissing)
 * and named in the usage error elsewhere, instead of Commander refusing it before the verb runs.
 */
export function askedOption<Flags extends string>(flags: Flags, description: string, how: { unless?: string } = {}) {
  const option = new Option(flags, description);
  ASKED.set(option, how);
  return option;
}

/** How help marks an option the verb needs: "required", "required unless --flag", or nothing. */
export function requiredNote(option: { mandatory?: boolean }): string | undefined {
  if (option.mandatory) return 'required';
  const asked = ASKED.get(option);
  if (!asked) return undefined;
  return asked.unless ? `required unless ${asked.unless}` : 'required';
}

/** Whether an option was declared with askedOption (the command-tree tests fill it in like a mandatory one). */
export function isAskedOption(option: object): boolean {
  return ASKED.has(option);
}

export type RequiredValues<K extends string> = { readonly [key in K]: RequiredValue };

/** What to do before the first question: by default make sure someone is logged in, so that "not logged in" comes before the questions. */
export interface AskOptions {
  login?: boolean;
  /** What may be passed instead of some of them, named with those flags: `--next-available` for date and time. */
  instead?: { flag: string; of: readonly string[] };
  /** Optional flags checked with the required ones before the first question, when given (a bad --dob is said before the name is asked). */
  checks?: Readonly<Record<string, NonNullable<RequiredValue['check']>>>;
}

/**
 * `options` with every required value filled in: given as flags, else asked; a usage error naming
 * the missing flags when nobody can answer.
 */
export async function askForMissing<O extends object, K extends keyof O & string>(
  ctx: CliContext,
  command: CommandUnknownOpts,
  options: O,
  required: RequiredValues<K>,
  askOptions: AskOptions = {},
): Promise<O & { [key in K]-?: string }> {
  const values = options as Record<string, unknown>;
  const missing = (Object.keys(required) as K[]).filter((key) => values[key] === undefined);
  if (missing.length === 0) return options as O & { [key in K]-?: string };
  const flags = missing.map((key) => flagOf(command, key));
  if (!ctx.prompter.canPrompt) {
    const { instead } = askOptions;
    const replaced = instead ? missing.filter((key) => instead.of.includes(key)).map((key) => flagOf(command, key)) : [];
    throw missingFlags(flags, instead && replaced.length > 0 ? { flag: instead.flag, of: replaced } : undefined);
  }
  if (askOptions.login !== false) await ctx.ensureLoggedIn();
  // What was given as flags is checked before the first question: a bad --date is said now, not after every answer.
  const checks: Record<string, RequiredValue['check']> = { ...askOptions.checks };
  for (const key of Object.keys(required) as K[]) checks[key] = required[key].check;
  for (const [key, check] of Object.entries(checks)) {
    const given = values[key];
    if (typeof given === 'string') await check?.(given, values);
  }
  const answers: Record<string, string> = {};
  for (const [i, key] of missing.entries()) answers[key] = await ask(ctx, command, flags[i]!, key, required[key], { ...values, ...answers });
  return { ...options, ...answers } as O & { [key in K]-?: string };
}

/** exit 2: the flags a script must pass. */
export function missingFlags(flags: readonly string[], instead?: { flag: string; of: readonly string[] }): UsageError {
  const and = (names: readonly string[]) => (names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names.at(-1)!}`);
  const alternative =
    instead === undefined ? '' : instead.of.length === flags.length ? ` (or ${instead.flag})` : ` (or ${instead.flag} for ${and(instead.of)})`;
  const list = `${and(flags)}${alternative}`;
  return new UsageError(`Missing ${list}.`, `Pass ${list}; prompts need a terminal and no --no-input.`);
}

/** Turns a rule that throws (the domain's parsers) into the prompt's check: true, or the reason. */
export function promptCheck(check: (value: string) => unknown): PromptCheck {
  return async (value) => {
    try {
      await check(value);
      return true;
    } catch (error) {
      const { isClinicError } = await import('../domain/errors.js');
      // A value refused by its rule, or one someone else has (a taken username): asked again with the reason.
      if (isClinicError(error) && (error.code === 'INVALID_INPUT' || error.reason === 'ALREADY_EXISTS'))
        return [error.message, error.remedy].filter(Boolean).join(' ');
      throw error;
    }
  };
}

async function ask(
  ctx: CliContext,
  command: CommandUnknownOpts,
  flag: string,
  key: string,
  value: RequiredValue,
  known: Readonly<Record<string, unknown>>,
): Promise<string> {
  const option = optionOf(command, key);
  const message = value.question ?? asQuestion(option?.description ?? key);
  const rule = value.check;
  const check = rule ? promptCheck((answer) => rule(answer, known)) : undefined;
  if (value.search) return ctx.prompter.search(flag, message, value.search);
  const choices =
    typeof value.choices === 'function'
      ? await value.choices(known)
      : (value.choices ?? option?.argChoices?.map((choice) => ({ value: choice, name: choice })));
  if (choices && choices.length > 0) return ctx.prompter.select(flag, message, choices);
  if (value.secret) return ctx.prompter.password(flag, message, check);
  return (await ctx.prompter.text(flag, message, check, { default: value.default })).trim();
}

function optionOf(command: CommandUnknownOpts, key: string) {
  return command.options.find((option) => option.attributeName() === key);
}

function flagOf(command: CommandUnknownOpts, key: string): string {
  return optionOf(command, key)?.long ?? `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`;
}

/** 'login name: lowercase letters…' → 'Login name: lowercase letters…' */
function asQuestion(description: string): string {
  return description.charAt(0).toUpperCase() + description.slice(1);
}
