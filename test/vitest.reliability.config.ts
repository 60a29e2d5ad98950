import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// Not mergeConfig: it concatenates arrays, and the base config excludes test/reliability/**.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['test/reliability/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Fault and race tests: each file in a fresh process, whatever the default suite does.
    isolate: true,
    // Two workers, not the default suite's three: these tests measure waits and races, and on two
    // cores a third worker's load made a lock-wait test see a stale lock where it expected a fresh one.
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
