import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { pgLazyDns, pgNodeOnly } from '../../scripts/build-plugins.mjs';
import { ROOT, nodeProcess, type ProcessSpec } from './proc.js';
import type { Resources } from './resources.js';

/**
 * bench/floor-pg.cjs as the product ships code: one CommonJS bundle (pg inside, with the build's
 * patches of pg) loaded through V8's code cache by bin/code-cache.js. Returns how to run it with
 * one SQL statement; `env` says where it connects (CLINIC_DATABASE_URL, or FLOOR_SOCKET_DIR/PORT).
 */
export async function pgFloor(resources: Resources): Promise<(sql: string, env: NodeJS.ProcessEnv) => ProcessSpec> {
  const dir = resources.tempDir('floor-pg');
  const bundle = path.join(dir, 'floor-pg.cjs');
  await build({
    entryPoints: [path.join(ROOT, 'bench', 'floor-pg.cjs')],
    outfile: bundle,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    plugins: [pgNodeOnly, pgLazyDns],
    minifyWhitespace: true,
    minifySyntax: true,
    charset: 'ascii',
    legalComments: 'none',
    logLevel: 'warning',
  });
  const launcher = path.join(dir, 'launch.cjs');
  fs.writeFileSync(
    launcher,
    `'use strict';\nrequire(${JSON.stringify(path.join(ROOT, 'bin', 'code-cache.js'))}).loadWithCodeCache(${JSON.stringify(bundle)}, process.argv).run(process.argv);\n`,
  );
  return (sql, env) => nodeProcess([launcher, sql], { env });
}
