// Preloaded with `node --require bench/rss-probe.cjs …` by scan-bench.mjs when GNU
// /usr/bin/time is not available: writes the process's own resource usage (maxRSS in KiB,
// CPU times in µs) to $HG_BENCH_RSS_FILE when it exits.
'use strict';
const fs = require('node:fs');

const out = process.env.HG_BENCH_RSS_FILE;
if (out) {
  process.on('exit', () => {
    try {
      fs.writeFileSync(out, JSON.stringify(process.resourceUsage()));
    } catch {
      // a probe must never change the measured program's outcome
    }
  });
}
