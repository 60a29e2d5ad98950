#!/usr/bin/env node
// The CLI is bundled into one CommonJS file (npm run build): a terminal answers `clinic --help`
// without loading dozens of ES modules; heavy packages are still imported only when a command needs them.
import { createRequire } from 'node:module';

const { run } = createRequire(import.meta.url)('../dist/clinic.cjs');
await run(process.argv);
