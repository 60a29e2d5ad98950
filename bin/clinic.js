#!/usr/bin/env node
// The CLI is bundled into one CommonJS file (npm run build), and this launcher is CommonJS too
// (bin/package.json): a terminal answers `clinic --help` without starting the ES module loader or
// loading dozens of modules; heavy packages are still imported only when a command needs them.
'use strict';

// Node 22.1+ keeps compiled code of the modules it loads (knex, pg, zod…) on disk between runs;
// on older Node this is absent and nothing happens.
require('node:module').enableCompileCache?.();
require('../dist/clinic.cjs').run(process.argv);
