import { UsageError } from './usage-error.js';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { durationMs } from '../domain/durations.js';

/**
 * The parsers of option values (`.argParser(...)`): numbers, durations and lists. A value that is
 * not of its kind at all is a usage error (exit 2) and Commander's message names the flag:
 * "option '--limit <n>' argument 'ten' is invalid. …". Ranges that are rules of the clinic (a slot
 * length in steps of 5, at most 62 days, a token's lifetime) stay with the domain, which answers
 * exit 3.
 */

const WHOLE = /^\s*-?\d+\s*$/;

/** A whole number; within bounds when they are given (else the domain judges the range, exit 3). */
export function wholeNumber(bounds: { min?: number; max?: number } = {}) {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = bounds;
  const range = bounds.min === undefined && bounds.max === undefined ? '' : ` from ${min} to ${max}`;
  return (value: string): number => {
    const number = Number(value);
    if (!WHOLE.test(value) || !Number.isSafeInteger(number) || number < min || number > max) throw new InvalidArgumentError(`Use a whole number${range}.`);
    return number;
  };
}

/** Seconds, fractions allowed, not negative. */
export function seconds(value: string): number {
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new InvalidArgumentError('Use a number of seconds (0 or more).');
  return number;
}

/**
 * A duration such as 15m, 24h, 90d or 8w (or `never`, where the option allows it); kept as text
 * for the domain, which parses it with the same rule and judges the range.
 */
export function duration(allow: { never?: boolean } = {}) {
  const examples = `such as 15m, 24h, 90d or 8w${allow.never ? ', or `never`' : ''}`;
  return (value: string): string => {
    if (allow.never && value.trim().toLowerCase() === 'never') return value;
    if (durationMs(value) === undefined) throw new InvalidArgumentError(`Use minutes, hours, days or weeks ${examples}.`);
    return value;
  };
}

/**
 * A repeatable option whose values may also be separated by commas: `--doctor a --doctor b,c`
 * gives ['a', 'b', 'c']; blanks are dropped.
 */
export function list(value: string, previous: string[] | undefined): string[] {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  return [...(previous ?? []), ...items];
}

/**
 * `--limit N` / `--all` of the long lists: the domain's default page (50) when neither is given.
 * Both at once is a usage error.
 */
export function listLimit(options: { limit?: number | undefined; all?: boolean | undefined }): number | 'all' | undefined {
  if (options.all && options.limit !== undefined) throw new UsageError('Give --limit or --all, not both.');
  return options.all ? 'all' : options.limit;
}

export const LIMIT_HELP = 'at most this many rows (default 50)';
export const ALL_HELP = 'every row, however many';
