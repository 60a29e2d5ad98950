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
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
