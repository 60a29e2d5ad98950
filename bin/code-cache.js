'use strict';
// Loads a CommonJS bundle through V8's code cache, so that a run does not compile again what an
// earlier run compiled (Node 20 has no module.enableCompileCache()). The cache lives under
// ${XDG_CACHE_HOME:-~/.cache}/clinic, one file per bundle build, Node version and command:
// each command's file is written by its first successful run, at exit, so it also holds the
// functions that run compiled lazily; that first run starts from the build's core file (below).
// A cache that cannot be read or written costs speed, never an error or a warning.

const fs = require('node:fs');
const Module = require('node:module');
const os = require('node:os');
const path = require('node:path');
const vm = require('node:vm');

function cacheDir(env) {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'clinic');
}

/**
 * The command's words before its first option (`appointments.list`): what the run compiles. A help
 * or version request compiles only the command's definition, so it keeps a file of its own
 * (`appointments.list.help`): otherwise the command's file would lack its work for good.
 */
function commandOf(argv) {
  const words = [];
  for (const arg of argv.slice(2)) {
    if (!/^[a-z][a-z-]{0,30}$/.test(arg) || words.length === 2) break;
    words.push(arg);
  }
  if (argv.some((arg, i) => i >= 2 && (arg === '--help' || arg === '-h' || arg === '--version' || arg === '-V'))) words.push('help');
  return words.length > 0 ? words.join('.') : 'none';
}

/** FNV-1a: a short, stable name for the cache of one bundle build (node:crypto alone costs a few ms to load). */
function fingerprint(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** `<this bundle's path>-<its build and Node>-<name>`: a rebuild or another Node gets new files. */
function buildFile(bundle, stat, name) {
  const build = fingerprint(`${stat.size}\0${stat.mtimeMs}\0${process.version}\0${process.arch}`);
  return path.join(cacheDir(process.env), `${fingerprint(bundle)}-${build}-${name}`);
}

/** The code cache of one command: `<bundle>-<build>-<command words>.v8`. */
function cacheFile(bundle, stat, argv) {
  return buildFile(bundle, stat, `${commandOf(argv)}.v8`);
}

/** Caches of earlier builds of the same bundle (other checkouts keep theirs). */
function removeStale(file) {
  const dir = path.dirname(file);
  const [bundleKey, buildKey] = path.basename(file).split('-');
  for (const name of fs.readdirSync(dir)) {
    const [otherBundle, otherBuild] = name.split('-');
    if (otherBundle === bundleKey && otherBuild !== buildKey) fs.rmSync(path.join(dir, name), { force: true });
  }
}

function readCache(file) {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Temp file and rename: a reader sees the old file or the new one, never half of one. */
function writeAtomically(file, data) {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temp, data, { mode: 0o600 });
    fs.renameSync(temp, file);
    removeStale(file);
  } catch {
    // Read-only or full disk, no home directory: the next run does the work again.
  }
}

function writeCache(file, script) {
  let data;
  try {
    data = script.createCachedData();
  } catch {
    return;
  }
  writeAtomically(file, data);
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
  const own = readCache(file);
  // A command's first run starts from the core cache: what every command that opens the database
  // compiles before its own work (Commander, knex, pg, connecting, the schema check), written by the
  // first run of the build that got that far. It holds nothing of another command's own work, so a
  // command's cache is no bigger for having started from it.
  const coreFile = buildFile(bundle, stat, '_core.v8');
  const core = own === undefined ? readCache(coreFile) : undefined;
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData: own ?? core });
  // Kept only from a run that succeeded: one that stopped early (a usage error, not logged in) compiled
  // little of the command, and its file, once written, would stand for every later run of it.
  if (own === undefined || script.cachedDataRejected) process.once('exit', (code) => code === 0 && writeCache(file, script));
  if (own === undefined && (core === undefined || script.cachedDataRejected)) {
    // src/db/connect.ts calls it once the database is open.
    const hook = Symbol.for('clinic.codeCache.databaseOpened');
    globalThis[hook] = () => {
      delete globalThis[hook];
      writeCache(coreFile, script);
    };
  }
  const bundleModule = new Module(bundle, module);
  bundleModule.filename = bundle;
  bundleModule.paths = Module._nodeModulePaths(path.dirname(bundle));
  bundleModule.loaded = true;
  const requireFromBundle = Module.createRequire(bundle);
  script.runInThisContext()(bundleModule.exports, requireFromBundle, bundleModule, bundle, path.dirname(bundle));
  return bundleModule.exports;
}

module.exports = { buildFile, fingerprint, loadWithCodeCache, writeAtomically };
