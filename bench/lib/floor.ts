import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ROOT, nodeProcess, runChecked, type ProcessSpec } from './proc.js';

const PACKAGE_PROBE = fileURLToPath(new URL('./package-probe.cjs', import.meta.url));

export interface LoadedPackage {
  name: string;
  /** how the bundle loaded it: require() (CommonJS build) or import() (the package's ESM entry, if any) */
  via: 'require' | 'import';
}

/** The packages a run of the CLI loads itself (CommonJS ones; see package-probe.cjs). */
export async function packagesLoadedBy(spec: ProcessSpec): Promise<LoadedPackage[]> {
  const file = path.join(os.tmpdir(), `clinic-bench-packages-${process.pid}.json`);
  try {
    await runChecked({ ...spec, args: ['--require', PACKAGE_PROBE, ...spec.args], env: { ...spec.env, BENCH_PACKAGES_FILE: file } });
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LoadedPackage[];
  } finally {
    fs.rmSync(file, { force: true });
  }
}

export function packageNames(packages: readonly LoadedPackage[]): string {
  return packages.map((p) => p.name).join(', ');
}

/** A bare Node process that loads just these packages, each the way the bundle does, and exits. */
export function libraryFloor(packages: readonly LoadedPackage[], env: NodeJS.ProcessEnv): ProcessSpec {
  const lines = [`const require = (await import('node:module')).createRequire(${JSON.stringify(path.join(ROOT, 'package.json'))});`];
  for (const { name, via } of packages) {
    lines.push(via === 'require' ? `require(${JSON.stringify(name)});` : `await import(${JSON.stringify(pathToFileURL(resolveImport(name)).href)});`);
  }
  return nodeProcess(['--input-type=module', '-e', lines.join('\n')], { env });
}

/** Where import(name) leads from the project (the ESM entry when the package has one); bench/ shares its node_modules. */
function resolveImport(name: string): string {
  return fileURLToPath(import.meta.resolve(name));
}
