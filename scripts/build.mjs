// Builds the CLI into one self-contained CommonJS file, dist/clinic.cjs, with every pure-JavaScript
// dependency inside it: a start reads one file and (bin/code-cache.js) deserializes its compiled
// code, instead of resolving and compiling hundreds of files. Only what cannot be bundled stays
// outside: bcrypt's native binding and PGlite (WASM and data files).
//
// Another entry (a background process, a worker) is one more element of `entries`.
// `BUILD_ANALYZE=1 node scripts/build.mjs` prints what each file holds.
import { readFile } from 'node:fs/promises';
import { analyzeMetafile, build } from 'esbuild';

/** Packages loaded from node_modules at run time. */
const external = ['bcrypt', '@electric-sql/pglite', '@electric-sql/pglite/*'];

/** Modules that get a file of their own, loaded by the commands that need them only. */
const ownFiles = [{ source: 'src/domain/identity/password-estimator.ts', outfile: 'dist/password-estimator.cjs' }];

const entries = [
  { entryPoints: ['src/cli/run.ts'], outfile: 'dist/clinic.cjs' },
  ...ownFiles.map(({ source, outfile }) => ({ entryPoints: [source], outfile })),
  // The embedded database's background server (src/db/server): the only process that loads PGlite.
  // Node runs it as an ordinary file (not through the launcher's vm.Script), so import() stays import().
  { entryPoints: ['src/db/server/main.ts'], outfile: 'dist/db-server.cjs', supported: {}, ascii: false },
];

/** knex picks its dialect from a table of all it has: clinic speaks only PostgreSQL. */
const knexPostgresOnly = {
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
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ loader: 'js', contents: `export { default as en } from './en.js';` }));
  },
};

/** The editor prompt (and its charset detection and iconv tables) is not used: drafts have their own editor. */
const noEditorPrompt = {
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
const commanderLazyChildProcess = {
  name: 'commander-lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!source.includes(eager)) throw new Error(`commander changed: no "${eager}" in ${args.path}`);
      return { loader: 'js', contents: source.replace(eager, "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };") };
    });
  },
};

/**
 * Inside a bundle a package is no file that a test can watch being loaded: each module of these
 * packages notes its package in globalThis.__clinicLoadedPackages when it is evaluated, if a test
 * set that up (test/support/fixtures/trace-heavy-imports.mjs); otherwise the note costs one lookup.
 */
const TRACED =
  /[\\/]node_modules[\\/](knex|pg|pg-pool|@inquirer[\\/][^\\/]+|zod|luxon|csv-parse|csv-stringify|chalk|cli-table3|@zxcvbn-ts[\\/][^\\/]+)[\\/].*\.[cm]?js$/;
const tracePackages = {
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
const pgNodeOnly = {
  name: 'pg-node-only',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const probe = 'if (isCloudflareRuntime()) {';
      if (!source.includes(probe)) throw new Error(`pg changed: no "${probe}" in ${args.path}`);
      return { loader: 'js', contents: source.replace(probe, 'if (false) {') };
    });
  },
};

/** pg needs node:dns only to build a libpq connection string (pg-native, unused here): load it then. */
const pgLazyDns = {
  name: 'pg-lazy-dns',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]connection-parameters\.js$/ }, async (args) => {
      const source = await readFile(args.path, 'utf8');
      const eager = "const dns = require('dns')";
      if (!source.includes(eager)) throw new Error(`pg changed: no "${eager}" in ${args.path}`);
      return { loader: 'js', contents: source.replace(eager, "const dns = { lookup: (...a) => require('dns').lookup(...a) }") };
    });
  },
};

/** In the main bundle, an own-file module is required from its built file beside it. */
function ownFilesExternal(outfile) {
  return {
    name: 'own-files',
    setup(b) {
      for (const own of ownFiles) {
        if (own.outfile === outfile) continue;
        const stem = own.source.replace(/^.*\//, '').replace(/\.ts$/, '');
        b.onResolve({ filter: new RegExp(`[\\\\/]${stem}\\.js$`) }, () => ({ path: `./${own.outfile.replace(/^dist\//, '')}`, external: true }));
      }
    },
  };
}

const results = await Promise.all(
  entries.map(({ ascii: _ascii, ...entry }) =>
    build({
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external,
      // import() becomes require(): the launcher runs the bundle as a vm.Script, without the ES module loader.
      supported: { 'dynamic-import': false },
      ...entry,
      plugins: [
        knexPostgresOnly,
        zodEnglishOnly,
        noEditorPrompt,
        commanderLazyChildProcess,
        pgNodeOnly,
        pgLazyDns,
        tracePackages,
        ownFilesExternal(entry.outfile),
      ],
      // Names are kept (stack traces under --debug stay readable); whitespace and comments go.
      minifyWhitespace: true,
      minifySyntax: true,
      charset: 'ascii',
      legalComments: 'none',
      metafile: true,
      logLevel: 'warning',
      // src/db/server/client.ts falls back to import.meta.url when run from source (tests under tsx).
      logOverride: { 'empty-import-meta': 'silent' },
    }),
  ),
);

// The launcher reads the bundle as Latin-1, the fastest decoding, which is exact only for ASCII.
for (const { outfile } of entries.filter((entry) => entry.ascii !== false)) {
  const bytes = await readFile(outfile);
  if (bytes.some((byte) => byte > 0x7f)) throw new Error(`${outfile} is not ASCII: bin/code-cache.js reads it as Latin-1`);
}

if (process.env.BUILD_ANALYZE) {
  for (const result of results) console.log(await analyzeMetafile(result.metafile));
}
