// Preloaded (`node --require`) into every Node process the bench times: on exit, writes the
// process's own CPU time (user + system, microsecond resolution) and its peak resident memory
// (kB) to BENCH_CPU_FILE. /proc gives children's CPU only in 10 ms ticks, too coarse for a 40 ms process.
// The peak is VmHWM of /proc/self/status, the high-water mark of this program's own memory:
// getrusage's maxRSS (process.resourceUsage()) survives fork and exec on Linux, so a child of a
// parent holding 109 MB reports at least 109 MB however little it uses itself.
'use strict';
const fs = require('node:fs');

const file = process.env.BENCH_CPU_FILE;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    let peakKb = usage.maxRSS;
    try {
      peakKb = Number(/^VmHWM:\s+(\d+) kB$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? peakKb);
    } catch {
      // no /proc: getrusage's figure
    }
    fs.writeFileSync(file, `${usage.userCPUTime + usage.systemCPUTime} ${peakKb}\n`);
  });
}
