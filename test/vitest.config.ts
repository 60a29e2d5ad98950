import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // The reliability suite (many processes, fault injection) runs as `npm run test:reliability`.
    exclude: ['test/reliability/**', '**/node_modules/**'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    // Three workers on two cores: the suite waits on spawned programs, servers and terminals about
    // half of its time. Measured on both backends here: 2 workers 246 s, 3 workers 222 s, 4 workers 233 s.
    maxWorkers: 3,
    // One process per worker for all its files, not one per file: the product's modules (knex,
    // PGlite, zod...) load once per worker instead of once per file (~1.5 s of CPU per file here).
    // Files share no state but these modules: every file gets its own database (an embedded one
    // recycled from an earlier file of the worker, emptied back to the template: test/support/database.ts).
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
