import { describe, expect, it } from 'vitest';
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
    [['whoami', '--lock-timeout', 'forever'], '--lock-timeout'],
  ])('%j is exit 2 naming %s', async (args, flag) => {
    const result = await runCli(args, { actor: null });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
    expect(result.stderr).not.toMatch(/NaN|expected number/);
  });
});
