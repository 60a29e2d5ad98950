// Builds the CLI into one self-contained CommonJS file, dist/clinic.cjs, with every pure-JavaScript
// dependency inside it: a start reads one file and (bin/code-cache.js) deserializes its compiled
// code, instead of resolving and compiling hundreds of files. Only what cannot be bundled stays
// outside: bcrypt's native binding and PGlite (WASM and data files).
//
// Another entry (a background process, a worker) is one more element of `entries`.
// `BUILD_ANALYZE=1 node scripts/build.mjs` prints what each file holds.
import { readFile } from 'node:fs/promises';
import { analyzeMetafile, build } from 'esbuild';
import {
  commanderLazyChildProcess,
  knexLazyMigrations,
  knexPostgresOnly,
  noEditorPrompt,
  pgLazyDns,
  pgNodeOnly,
  tracePackages,
  zodEnglishOnly,
} from './build-plugins.mjs';

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
        knexLazyMigrations,
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
