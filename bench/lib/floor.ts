import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, nodeProcess, runChecked, type ProcessSpec } from './proc.js';

const PACKAGE_PROBE = fileURLToPath(new URL('./package-probe.cjs', import.meta.url));

/** The packages a run of the CLI loads itself (CommonJS ones; see package-probe.cjs). */
export async function packagesLoadedBy(spec: ProcessSpec): Promise<string[]> {
  const file = path.join(os.tmpdir(), `clinic-bench-packages-${process.pid}.json`);
  try {
    await runChecked({ ...spec, args: ['--require', PACKAGE_PROBE, ...spec.args], env: { ...spec.env, BENCH_PACKAGES_FILE: file } });
    return JSON.parse(fs.readFileSync(file, 'utf8')) as string[];
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** A bare Node process that loads just these packages, as the bundle does (import()), and exits. */
export function libraryFloor(packages: readonly string[], env: NodeJS.ProcessEnv): ProcessSpec {
  const resolve = createRequire(path.join(ROOT, 'package.json')).resolve;
  const urls = packages.map((name) => pathToFileURL(resolve(name)).href);
  const code = urls.map((url) => `await import(${JSON.stringify(url)});`).join('\n');
  return nodeProcess(['--input-type=module', '-e', code], { env });
}
