import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { redactUrl, resolveTarget, targetKey } from '../../src/db/target.js';
import { runCli } from '../support/cli.js';

/** Which database a command uses: a flag always wins over the environment (DESIGN §2). */
describe('choosing the database', () => {
  const elsewhere = 'postgres://other_app:Other-Secret-1@127.0.0.1:1/their_db';

  it('an explicit --data-dir wins over DATABASE_URL and CLINIC_DATABASE_URL', () => {
    for (const env of [{ DATABASE_URL: elsewhere }, { CLINIC_DATABASE_URL: elsewhere }]) {
      expect(resolveTarget({ dataDir: '/tmp/clinic-x' }, env)).toEqual({ backend: 'embedded', dataDir: '/tmp/clinic-x' });
    }
    expect(resolveTarget({}, { DATABASE_URL: elsewhere, CLINIC_DATA_DIR: '/tmp/clinic-y' })).toEqual({ backend: 'postgres', url: elsewhere });
  });

  it('runs a command on the --data-dir database while DATABASE_URL names a server', async () => {
    const dataDir = path.join(inject('testRoot'), `target-choice-${process.pid}`);
    await fs.cp(inject('pgliteTemplateDir'), dataDir, { recursive: true });
    try {
      const result = await runCli(['db', 'status', '--json', '--data-dir', dataDir], { env: { DATABASE_URL: elsewhere, CLINIC_DATABASE_URL: elsewhere } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.json<{ backend: string; database: string }>()).toMatchObject({ backend: 'embedded', database: `embedded database at ${dataDir}` });
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
      await fs.rm(`${dataDir}.lock`, { force: true });
    }
  });

  it('--database-url and --data-dir together are a usage error (exit 2)', async () => {
    const result = await runCli(['db', 'status', '--json', '--data-dir', '/tmp/nowhere', '--database-url', elsewhere]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stderr).error.message).toMatch(/--database-url and --data-dir/);
    expect(result.stderr).not.toContain('Other-Secret-1');
  });
});

describe('redactUrl: the one mask for every credential form', () => {
  it.each([
    ['postgres://u:Pw-1@h:5432/db', 'postgres://u:***@h:5432/db'],
    ['postgres://u@h/db?password=Pw-1&sslmode=require', 'postgres://u@h/db?password=***&sslmode=require'],
    ['postgres://u@h/db?sslpassword=Pw-1&sslkey=/k.pem', 'postgres://u@h/db?sslpassword=***&sslkey=/k.pem'],
    ['postgres://u@h/db?sslkey=-----BEGIN%20PRIVATE%20KEY-----abc', 'postgres://u@h/db?sslkey=***'],
    ['postgres://u:pa#ss/Pw-1@h/db', 'postgres://***@h/db'],
    ['postgres://u@h:99999/db?password=Pw-1', 'postgres://***@h:99999/db?password=***'],
  ])('%s', (url, shown) => {
    expect(redactUrl(url).replaceAll('%2F', '/')).toBe(shown);
    expect(redactUrl(url)).not.toContain('Pw-1');
  });

  it('session files are keyed without the password, whatever its form', () => {
    const plain = targetKey({ backend: 'postgres', url: 'postgres://u@h/db' });
    expect(targetKey({ backend: 'postgres', url: 'postgres://u:Pw-1@h/db' })).toBe(plain);
    expect(targetKey({ backend: 'postgres', url: 'postgres://u@h/db?password=Pw-1' })).toBe(plain);
    expect(targetKey({ backend: 'postgres', url: 'postgres://u:pa#ss/Pw-1@h/db' })).not.toContain('Pw-1');
  });
});
