'use strict';
// Loads a CommonJS bundle through V8's code cache, so that a run does not compile again what an
// earlier run compiled (Node 20 has no module.enableCompileCache()). The cache lives under
// ${XDG_CACHE_HOME:-~/.cache}/clinic, one file per bundle build, Node version and command noun:
// each noun's file is written by its first run, at exit, so it also holds the functions that run
// compiled lazily. A cache that cannot be read or written costs speed, never an error or a warning.

const crypto = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

function cacheDir(env) {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'clinic');
}

/** The first word that is not an option: the noun whose code the run compiles. */
function nounOf(argv) {
  const word = argv.slice(2).find((arg) => !arg.startsWith('-'));
  return word !== undefined && /^[a-z][a-z-]{0,30}$/.test(word) ? word : 'none';
}

function cacheFile(bundle, stat, argv) {
  const key = crypto
    .createHash('sha256')
    .update(`${bundle}\0${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`)
    .digest('hex')
    .slice(0, 16);
  return path.join(cacheDir(process.env), `${key}-${nounOf(argv)}.v8`);
}

function readCache(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Temp file and rename: a reader sees the old cache or the new one, never half of one. */
function writeCache(file, script) {
  try {
    const data = script.createCachedData();
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.renameSync(temp, file);
  } catch {
    // Read-only or full disk, no home directory: the next run compiles again.
  }
}

function loadWithCodeCache(bundle, argv) {
  let source;
  let stat;
  try {
    stat = fs.statSync(bundle);
    source = fs.readFileSync(bundle, 'latin1'); // ASCII: scripts/build.mjs checks
  } catch {
    return require(bundle); // let require report a missing build as it always has
  }
  const file = cacheFile(bundle, stat, argv);
  const cachedData = readCache(file);
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) process.once('exit', () => writeCache(file, script));
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  bundleModule.paths = Module._nodeModulePaths(path.dirname(bundle));
  bundleModule.loaded = true;
  const requireFromBundle = Module.createRequire(bundle);
  script.runInThisContext()(bundleModule.exports, requireFromBundle, bundleModule, bundle, path.dirname(bundle));
  return bundleModule.exports;
}

module.exports = { loadWithCodeCache };
