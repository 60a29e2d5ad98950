#!/usr/bin/env node
// The CLI is one self-contained CommonJS bundle (npm run build); this launcher is CommonJS too
// (bin/package.json), so a run never starts the ES module loader.
'use strict';

const path = require('node:path');
const { loadWithCodeCache } = require('./code-cache.js');

loadWithCodeCache(path.join(__dirname, '..', 'dist', 'clinic.cjs'), process.argv).run(process.argv);
