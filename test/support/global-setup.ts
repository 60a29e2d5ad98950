import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPgliteKnex } from '../../src/db/connect.js';
import { migrateLatest } from '../../src/db/migrations.js';
import { adminKnex, quoteIdent, testDatabaseUrl } from './postgres.js';

/**
 * Migrates once per run, then every test file starts from a copy: a PGlite data directory
 * copied from a template, and a PostgreSQL database created from a template database.
 */
export default async function setup(project: TestProject) {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'clinic-test-'));
  const templateDir = path.join(root, 'template');
  const knex = await createPgliteKnex(templateDir);
  await migrateLatest(knex);
  await knex.destroy();
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
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplateDir: string;
    testRoot: string;
    postgresTemplate: string;
  }
}
