import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrations.js';
import { stopServer } from '../../src/db/server/client.js';
import { adminKnex, quoteIdent, testDatabaseUrl } from './postgres.js';

/**
 * Migrates once per run, then every test file starts from a copy: a PGlite data directory
 * copied from a template, and a PostgreSQL database created from a template database.
 */
export default async function setup(project: TestProject) {
  const root = await fs.mkdtemp(path.join(await scratchDir(), 'clinic-test-'));
  // Every embedded server started by this run (by the harness or by a spawned clinic) inherits
  // this mark, so that the teardown can find any that outlive their test.
  process.env.CLINIC_TEST_RUN = root;
  const templateDir = path.join(root, 'template');
  const template = await openDatabase({ backend: 'embedded', dataDir: templateDir }, { schema: 'auto' });
  await template.close();
  await stopServer(templateDir, process.env);
  project.provide('pgliteTemplateDir', templateDir);
  project.provide('testRoot', root);

  let templateDatabase: string | undefined;
  const url = testDatabaseUrl();
  if (url) {
    templateDatabase = `clinic_tpl_${process.pid}_${Date.now().toString(36)}`;
    const admin = await adminKnex(url);
    try {
      await admin.raw(`CREATE DATABASE ${quoteIdent(templateDatabase)}`);
    } finally {
      await admin.destroy();
    }
    const template = await adminKnex(url, templateDatabase);
    try {
      await migrateLatest(template);
    } finally {
      await template.destroy();
    }
    project.provide('postgresTemplate', templateDatabase);
  }

  return async () => {
    if (url && templateDatabase) {
      const admin = await adminKnex(url);
      try {
        await admin.raw(`DROP DATABASE IF EXISTS ${quoteIdent(templateDatabase)} WITH (FORCE)`);
      } finally {
        await admin.destroy();
      }
    }
    await fs.rm(root, { recursive: true, force: true });
    // A server notices within a second that its data directory is gone and stops.
    const leftovers = await serversOfRun(root, 3_000);
    for (const pid of leftovers) process.kill(pid, 'SIGKILL');
    if (leftovers.length > 0) throw new Error(`embedded database servers still running after the suite (killed): pids ${leftovers.join(', ')}`);
  };
}

/**
 * Where the run's data directories go: /dev/shm (memory) when it is there with room to spare,
 * else the system's temporary directory. Every test file copies the 40 MB template once or more
 * and removes it again: on disk that copy and removal cost about 1 s of CPU each time (and disk
 * writes that other processes wait for); in memory a tenth of it. PGlite sees the same files either way.
 */
async function scratchDir(): Promise<string> {
  const memory = '/dev/shm';
  try {
    const stats = await fs.statfs(memory);
    await fs.access(memory, fs.constants.W_OK);
    if (stats.bavail * stats.bsize >= 4 * 1024 ** 3) return memory;
  } catch {
    // Not Linux, or no /dev/shm.
  }
  return os.tmpdir();
}

/** Pids of the embedded servers started under this run's mark, once `waitMs` has given them time to stop. */
async function serversOfRun(root: string, waitMs: number): Promise<number[]> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const pids: number[] = [];
    for (const name of await fs.readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const [cmdline, environ] = await Promise.all([
        fs.readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''),
        fs.readFile(`/proc/${name}/environ`, 'utf8').catch(() => ''),
      ]);
      if (/db-server\.cjs|server\/main\.[jt]s/.test(cmdline) && environ.split('\0').includes(`CLINIC_TEST_RUN=${root}`)) pids.push(Number(name));
    }
    if (pids.length === 0 || Date.now() >= deadline) return pids;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateDir: string;
    testRoot: string;
    postgresTemplate: string;
  }
}
