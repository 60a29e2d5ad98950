#!/usr/bin/env node
// The CLI is bundled into one CommonJS file (npm run build), and this launcher is CommonJS too
// (bin/package.json): a terminal answers `clinic --help` without starting the ES module loader or
// loading dozens of modules; heavy packages are still imported only when a command needs them.
'use strict';

require('../dist/clinic.cjs').run(process.argv);
