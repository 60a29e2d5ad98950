// Preloaded (`node --require`) by bench/lib/breakdown.ts into a run with `--debug`: notes when each
// `[sql] ` line reaches stderr (the moment knex sends the statement), when this preload ran (Node's
// own start-up is over) and when the process exits, in ms since the process started
// (performance.timeOrigin), and writes them to BENCH_SQL_FILE as JSON.
'use strict';
const file = process.env.BENCH_SQL_FILE;
if (file) {
  const { performance } = require('node:perf_hooks');
  const events = { preload: performance.now(), statements: [], exit: 0 };
  const write = process.stderr.write;
  process.stderr.write = function (chunk, ...rest) {
    const now = performance.now();
    for (const line of String(chunk).split('\n')) if (line.startsWith('[sql] ')) events.statements.push({ at: now, sql: line.slice(6, 200) });
    return write.call(this, chunk, ...rest);
  };
  process.on('exit', () => {
    events.exit = performance.now();
    require('node:fs').writeFileSync(file, JSON.stringify(events));
  });
}
