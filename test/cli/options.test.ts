import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '@commander-js/extra-typings';
import { duration, list, wholeNumber } from '../../src/cli/options.js';
import { durationMs } from '../../src/domain/durations.js';
import { runCli } from '../support/cli.js';

/** A value that is not a number, given to a numeric option: exit 2, and the message names the flag. */
describe('numeric options', () => {
  it.each([
    [['appointments', 'list', '--limit', 'ten'], '--limit'],
    [['appointments', 'slots', '--doctor', 'd', '--date', '2027-01-04', '--days', 'x'], '--days'],
    [['appointments', 'book', '--patient', 'p', '--doctor', 'd', '--date', '2027-01-04', '--time', '09:00', '--duration', '1h'], '--duration'],
    [['doctors', 'add', '--username', 'dr.x', '--name', 'X', '--slot-minutes', 'abc'], '--slot-minutes'],
    [['doctors', 'update', 'dr.x', '--slot-minutes', '2.5'], '--slot-minutes'],
    [['audit', 'list', '--limit', '-'], '--limit'],
    [['db', 'seed', '--doctors', 'many'], '--doctors'],
    [['db', 'seed', '--appointments', '1e3'], '--appointments'],
    [['tokens', 'create', '--name', 'n', '--expires-in', 'soon'], '--expires-in'],
    [['tokens', 'create', '--name', 'n', '--expires-in', '90'], '--expires-in'],
    [['whoami', '--lock-timeout', 'forever'], '--lock-timeout'],
  ])('%j is exit 2 naming %s', async (args, flag) => {
    const result = await runCli(args, { actor: null });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
    expect(result.stderr).not.toMatch(/NaN|expected number/);
  });
});

describe('option parsers', () => {
  it('wholeNumber: whole numbers within the bounds, else a usage error', () => {
    expect(wholeNumber()(' 42 ')).toBe(42);
    expect(wholeNumber({ min: 1, max: 3 })('3')).toBe(3);
    for (const bad of ['', '4', '0', '1.5', '1e1', 'x']) expect(() => wholeNumber({ min: 1, max: 3 })(bad), bad).toThrow(InvalidArgumentError);
  });

  it('duration: 15m, 24h, 90d, 8w in any case, `never` only where allowed; kept as text for the domain', () => {
    for (const good of ['15m', '24h', '90d', '8W', ' 12h ']) expect(duration()(good)).toBe(good);
    expect(duration({ never: true })('Never')).toBe('Never');
    expect(() => duration()('never')).toThrow(InvalidArgumentError);
    for (const bad of ['', '90', 'd', '1.5h', '10y', '-1d', 'soon', '1 d']) expect(() => duration({ never: true })(bad), bad).toThrow(InvalidArgumentError);
  });

  it('duration accepts exactly what the domain reads as a duration', () => {
    for (const text of ['15m', '24h', '90d', '8w', '0d', '999999w', '1000000m', '12', 'h', '1.5h', ' 3D ']) {
      expect(
        attempt(() => duration()(text)),
        text,
      ).toBe(durationMs(text) !== undefined);
    }
  });

  it('list: repeated and comma-separated values in order, blanks dropped', () => {
    const once = list('a, b,,', undefined);
    expect(once).toEqual(['a', 'b']);
    expect(list('c', once)).toEqual(['a', 'b', 'c']);
  });
});

function attempt(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch {
    return false;
  }
}
