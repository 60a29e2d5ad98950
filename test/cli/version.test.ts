import fs from 'node:fs/promises';
import { expect, it } from 'vitest';
import { VERSION } from '../../src/cli/version.js';

it('reports the version of package.json', async () => {
  const pkg = JSON.parse(await fs.readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  expect(VERSION).toBe(pkg.version);
});
