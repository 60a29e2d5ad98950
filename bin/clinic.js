#!/usr/bin/env node
// The CLI is one self-contained CommonJS bundle (npm run build); this launcher is CommonJS too
// (bin/package.json), so a run never starts the ES module loader.
'use strict';

const argv = process.argv;
if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
  // What Commander prints for it, without reading the bundle (src/cli/run.ts answers the same in-process).
  process.stdout.write(`${require('../package.json').version}\n`);
} else {
  const bundle = require('node:path').join(__dirname, '..', 'dist', 'clinic.cjs');
  // Help seen before is printed from bin/help-cache.js's copy, without reading the bundle.
  if (!require('./help-cache.js').answerHelp(bundle, argv)) require('./code-cache.js').loadWithCodeCache(bundle, argv).run(argv);
}
