import { InvalidArgumentError } from '@commander-js/extra-typings';

/**
 * Parsers for numeric option values (`.argParser(...)`). A value that is not a number at all is a
 * usage error (exit 2) and Commander's message names the flag: "option '--limit <n>' argument
 * 'ten' is invalid. …". Ranges that are rules of the clinic (a slot length in steps of 5, at most
 * 62 days) stay with the domain, which answers exit 3.
 */

const WHOLE = /^\s*\d+\s*$/;

/** A whole number, optionally within bounds. */
export function wholeNumber(bounds: { min?: number; max?: number } = {}) {
  const min = bounds.min ?? 0;
  const max = bounds.max ?? Number.MAX_SAFE_INTEGER;
  return (value: string): number => {
    const number = Number(value);
    if (!WHOLE.test(value) || !Number.isSafeInteger(number) || number < min || number > max) {
      throw new InvalidArgumentError(max === Number.MAX_SAFE_INTEGER ? `Use a whole number${min > 0 ? ` of at least ${min}` : ''}.` : `Use a whole number from ${min} to ${max}.`);
    }
    return number;
  };
}

/** A whole number of at least 1. */
export const positiveWholeNumber = () => wholeNumber({ min: 1 });

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
