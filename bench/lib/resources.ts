import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Everything a bench run creates (PostgreSQL databases named clinic_bench_*, temporary
 * directories) is registered here and removed at the end, on success, failure or Ctrl-C.
 */
export class Resources {
  private readonly cleanups: Array<{ what: string; undo: () => void }> = [];

  constructor(readonly adminUrl: string) {}

  /** A fresh, empty database; returns its URL. */
  createDatabase(purpose: string): string {
    const name = `clinic_bench_${purpose}_${process.pid}`;
    this.psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    this.psql(`CREATE DATABASE ${name}`);
    this.cleanups.push({ what: `database ${name}`, undo: () => this.psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) });
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  tempDir(purpose: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `clinic-bench-${purpose}-`));
    this.cleanups.push({ what: `directory ${dir}`, undo: () => fs.rmSync(dir, { recursive: true, force: true }) });
    return dir;
  }

  /** Runs now and at the end (e.g. the lock file PGlite leaves beside a data directory). */
  onCleanup(what: string, undo: () => void): void {
    this.cleanups.push({ what, undo });
  }

  releaseAll(): void {
    while (this.cleanups.length > 0) {
      const { what, undo } = this.cleanups.pop()!;
      try {
        undo();
      } catch (error) {
        process.stderr.write(`bench: could not remove ${what}: ${(error as Error).message}\n`);
      }
    }
  }

  private psql(sql: string): void {
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', this.adminUrl, '-c', sql], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  }
}

/** psql with a script on stdin, stopping at the first error; returns stdout. */
export function psqlScript(url: string, sql: string): string {
  return execFileSync('psql', ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-d', url], {
    input: sql,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 600_000,
  });
}
