// Preloaded (`node --require`) into one run of the CLI: on exit, writes to BENCH_PACKAGES_FILE the
// packages that the bundle (dist/clinic.cjs) required itself, as resolvable specifiers. The bench
// then times a bare Node process that requires just those: the floor a command cannot go below
// while it uses them (ES modules loaded with import(), such as chalk, are not seen here).
'use strict';
const file = process.env.BENCH_PACKAGES_FILE;
if (file) {
  process.on('exit', () => {
    const path = require('node:path');
    const modules = Object.values(require.cache).filter(Boolean);
    const bundle = modules.find((m) => m.filename.endsWith(`${path.sep}clinic.cjs`));
    // Required by the bundle, or loaded with import() (a CommonJS module loaded that way has no parent).
    const direct = [
      ...(bundle ? bundle.children : []).map((module) => ({ module, via: 'require' })),
      ...modules.filter((m) => !m.parent && m !== bundle).map((module) => ({ module, via: 'import' })),
    ];
    const packages = new Map();
    for (const { module, via } of direct) {
      const match = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(module.filename);
      if (match) packages.set(match[1].split(path.sep).join('/'), via);
    }
    require('node:fs').writeFileSync(file, JSON.stringify([...packages].map(([name, via]) => ({ name, via }))));
  });
}
