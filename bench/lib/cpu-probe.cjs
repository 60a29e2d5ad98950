// Preloaded (`node --require`) into every Node process the bench times: on exit, writes the
// process's own CPU time (user + system, microsecond resolution) and its peak resident memory
// (kB) to BENCH_CPU_FILE. /proc gives children's CPU only in 10 ms ticks, too coarse for a 40 ms process.
'use strict';
const file = process.env.BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    require('node:fs').writeFileSync(file, `${usage.userCPUTime + usage.systemCPUTime} ${usage.maxRSS}\n`);
  });
}
