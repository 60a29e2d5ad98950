'use strict';
// Help text is a pure function of the build, the words asked about, the terminal's width and a few
// environment variables: the first run of `clinic [noun [verb]] --help` (or `clinic help …`) keeps
// what Commander printed beside the code cache, and later runs print it without reading the bundle.
// Kept only when the run exited 0 with nothing on stderr; a rebuild or another Node gets new files
// (the same build fingerprint as the code cache, whose stale-file sweep removes old ones).

const fs = require('node:fs');
const { buildFile, fingerprint, writeAtomically } = require('./code-cache.js');

const WORD = /^[a-z][a-z-]{0,30}$/;
/** What help text can depend on besides the build: colour and width, and anything clinic reads. */
const ENV = /^(CLINIC_|XDG_|LC_|NO_COLOR$|FORCE_COLOR$|COLORTERM$|TERM$|COLUMNS$|HOME$|LANG$|TZ$|DATABASE_URL$|PAGER$)/;

/**
 * `[noun [group] [verb]] --help|-h` or `help [noun [group] [verb]]` (`doctors hours set --help`):
 * nothing but words, so nothing is run.
 */
function isHelpRequest(args) {
  if (args.length === 0 || args.length > 4) return false;
  const last = args[args.length - 1];
  if (last === '--help' || last === '-h') return args.slice(0, -1).every((arg) => WORD.test(arg));
  return args[0] === 'help' && args.every((arg) => WORD.test(arg));
}

function keyOf(args, env) {
  const stdout = process.stdout;
  const width = stdout.isTTY ? `tty${stdout.columns}` : 'pipe';
  const vars = Object.keys(env)
    .filter((name) => ENV.test(name))
    .sort()
    .map((name) => `${name}=${env[name]}`);
  return fingerprint(`${args.join('\0')}\0\0${width}\0\0${vars.join('\0')}`);
}

/**
 * Answers a help request from the cache (returns true), or arranges for this run's help to be kept
 * (returns false: the caller runs the bundle). Anything that goes wrong means only "not cached".
 */
function answerHelp(bundle, argv) {
  const args = argv.slice(2);
  if (!isHelpRequest(args)) return false;
  let file;
  try {
    file = buildFile(bundle, fs.statSync(bundle), `help.${keyOf(args, process.env)}.txt`);
  } catch {
    return false; // no build: let the bundle's loader report it
  }
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    record(file);
    return false;
  }
  process.stdout.write(text);
  return true;
}

/** Collects what this run prints and keeps it if the run ends well. */
function record(file) {
  const out = [];
  let clean = true;
  const stdout = process.stdout;
  const stderr = process.stderr;
  const write = stdout.write;
  const writeErr = stderr.write;
  stdout.write = function (chunk, ...rest) {
    out.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return write.call(this, chunk, ...rest);
  };
  stderr.write = function (...args) {
    clean = false;
    return writeErr.apply(this, args);
  };
  process.once('exit', (code) => {
    if (code === 0 && clean && out.length > 0) writeAtomically(file, out.join(''));
  });
}

module.exports = { answerHelp, isHelpRequest };
