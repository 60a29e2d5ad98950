import { InvalidArgumentError } from '@commander-js/extra-typings';

/**
 * Parsers for numeric option values (`.argParser(...)`). A value that is not a number at all is a
 * usage error (exit 2) and Commander's message names the flag: "option '--limit <n>' argument
 * 'ten' is invalid. …". Ranges that are rules of the clinic (a slot length in steps of 5, at most
 * 62 days) stay with the domain, which answers exit 3.
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

/** A lifetime such as 12h, 30d or 8w, or `never`; kept as text for the domain, which checks the maximum. */
export function lifetime(value: string): string {
  if (!/^\s*(\d{1,5}[hdw]|never)\s*$/i.test(value)) throw new InvalidArgumentError('Use hours, days or weeks such as 12h, 30d or 8w, or `never`.');
  return value;
}
