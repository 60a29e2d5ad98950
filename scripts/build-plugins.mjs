// The esbuild plugins of the CLI's build (scripts/build.mjs); the bench bundles its floors with
// the same patches of pg (bench/lib/floors.ts), so that a floor pays no more than the product does.
import { readFile } from 'node:fs/promises';

/** A plugin that replaces `from` by `to` in the files matching `filter`; the build fails if `pkg` no longer has `from`. */
function sourcePatch(name, filter, pkg, from, to) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        if (!source.includes(from)) throw new Error(`${pkg} changed: no "${from}" in ${args.path}`);
        return { loader: 'js', contents: source.replace(from, to) };
      });
    },
  };
}

/** knex picks its dialect from a table of all it has: clinic speaks only PostgreSQL. */
export const knexPostgresOnly = {
  name: 'knex-postgres-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]knex[\\/]lib[\\/]dialects[\\/]index\.js$/ }, () => ({
      loader: 'js',
      contents: `'use strict';
const { resolveClientNameWithAliases } = require('../util/helpers');
exports.getDialectByNameOrAlias = function getDialectByNameOrAlias(clientName) {
  if (resolveClientNameWithAliases(clientName) !== 'postgres') throw new Error('Invalid clientName given: ' + clientName);
  return require('./postgres');
};`,
    }));
  },
};

/** zod's messages in English only (clinic writes its own messages; the other ~45 locales are dead weight). */
export const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ loader: 'js', contents: `export { default as en } from './en.js';` }));
  },
};

/** The editor prompt (and its charset detection and iconv tables) is not used: drafts have their own editor. */
export const noEditorPrompt = {
  name: 'no-editor-prompt',
  setup(b) {
    b.onResolve({ filter: /^@inquirer\/editor$/ }, () => ({ path: 'editor', namespace: 'no-editor-prompt' }));
    b.onLoad({ filter: /.*/, namespace: 'no-editor-prompt' }, () => ({
      loader: 'js',
      contents: `export default function editor() { throw new Error('The editor prompt is not part of clinic.'); }`,
    }));
  },
};

/** Commander needs child_process only for executable subcommands, which clinic has none of. */
export const commanderLazyChildProcess = sourcePatch(
  'commander-lazy-child-process',
  /[\\/]commander[\\/]lib[\\/]command\.js$/,
  'commander',
  "const childProcess = require('node:child_process');",
  "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };",
);

/** knex's migrator and seeder (and what they load) are needed by `db migrate` and friends only, not by every knex instance. */
export const knexLazyMigrations = sourcePatch(
  'knex-lazy-migrations',
  /[\\/]knex[\\/]lib[\\/]knex-builder[\\/]make-knex\.js$/,
  'knex',
  "const { Migrator } = require('../migrations/migrate/Migrator');\nconst Seeder = require('../migrations/seed/Seeder');",
  // Constructors that return the real instance: `new Migrator(knex)` reads the same.
  "function Migrator(knex) { return new (require('../migrations/migrate/Migrator').Migrator)(knex); }\n" +
    "function Seeder(knex) { return new (require('../migrations/seed/Seeder'))(knex); }",
);

/**
 * Inside a bundle a package is no file that a test can watch being loaded: each module of these
 * packages notes its package in globalThis.__clinicLoadedPackages when it is evaluated, if a test
 * set that up (test/support/fixtures/trace-heavy-imports.mjs); otherwise the note costs one lookup.
 */
const TRACED =
  /[\\/]node_modules[\\/](knex|pg|pg-pool|@inquirer[\\/][^\\/]+|zod|luxon|csv-parse|csv-stringify|chalk|cli-table3|@zxcvbn-ts[\\/][^\\/]+)[\\/].*\.[cm]?js$/;
export const tracePackages = {
  name: 'trace-packages',
  setup(b) {
    b.onLoad({ filter: TRACED }, async (args) => {
      const name = TRACED.exec(args.path)[1].replace(/\\/g, '/');
      const source = await readFile(args.path, 'utf8');
      return { loader: 'js', contents: `${source}\n;globalThis.__clinicLoadedPackages?.add(${JSON.stringify(name)});\n` };
    });
  },
};

/**
 * pg asks at load time whether it runs in a Cloudflare Worker, by constructing a `Response`: on
 * Node that loads all of undici (fetch), ~15 ms. clinic runs on Node only.
 */
export const pgNodeOnly = sourcePatch('pg-node-only', /[\\/]pg[\\/]lib[\\/]stream\.js$/, 'pg', 'if (isCloudflareRuntime()) {', 'if (false) {');

/** pg needs node:dns only to build a libpq connection string (pg-native, unused here): load it then. */
export const pgLazyDns = sourcePatch(
  'pg-lazy-dns',
  /[\\/]pg[\\/]lib[\\/]connection-parameters\.js$/,
  'pg',
  "const dns = require('dns')",
  "const dns = { lookup: (...a) => require('dns').lookup(...a) }",
);
