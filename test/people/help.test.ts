import { describe, expect, it } from 'vitest';
import { fixture, spawnClinic } from '../support/spawn.js';

const tracer = fixture('trace-heavy-imports.mjs');

describe('help for doctors and patients, from the built binary', () => {
  it.each([
    ['doctors', '--help'],
    ['doctors', 'timeoff', 'add', '--help'],
    ['patients', 'add', '--help'],
  ])('loads no database, prompt, validation or time-zone module for %s %s', async (...args) => {
    const result = await spawnClinic(args, { nodeArgs: ['--import', tracer] });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('heavy-modules:[]');
    expect(result.stdout).toMatch(/Usage: clinic (doctors|patients)/);
  });
});
