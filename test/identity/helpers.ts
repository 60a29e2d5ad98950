import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { runCli, type CliOptions, type CliResult } from '../support/cli.js';

/** A private XDG_CONFIG_HOME for this file's session files, removed at the end. */
export function configHome(): () => { XDG_CONFIG_HOME: string } {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });
  return () => {
    dir ??= path.join(os.tmpdir(), `clinic-identity-${process.pid}-${Math.random().toString(36).slice(2)}`);
    return { XDG_CONFIG_HOME: dir };
  };
}

/** A terminal: the CLI on one database with one config home (and so one session file). */
export function terminal(database: () => Database, env: () => NodeJS.ProcessEnv) {
  return (args: string[], options: Omit<CliOptions, 'database'> = {}): Promise<CliResult> =>
    runCli(args, { ...options, database: database(), env: { ...env(), ...options.env } });
}

export function minutes(n: number): number {
  return n * 60_000;
}

/** A clock the test moves by hand. */
export function manualClock(start = new Date()) {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms: number) => {
      current += ms;
    },
  };
}
