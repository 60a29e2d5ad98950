import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // The reliability suite (many processes, fault injection) runs as `npm run test:reliability`.
    exclude: ['test/reliability/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Each file opens its own PGlite (~100 MB) or PostgreSQL database; two cores here.
    maxWorkers: 2,
    // One process per worker for all its files, not one per file: the product's modules (knex,
    // PGlite, zod...) load once per worker instead of once per file (~1.5 s of CPU per file here).
    // Files share no state but these modules: every file opens, and closes, its own database.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
