#!/usr/bin/env node
// Peak memory of `handshake-guard scan` on a repository of many files (issue #7, item 5: a scan
// of 100,000 files stays under 1 GiB). Generates a flat-ish tree of small Python files (1 in 50
// a FastAPI WebSocket module with an unguarded message loop), runs the built CLI once with
// `--format json -o /dev/null`, and prints wall time, peak RSS and the loop count. It measures;
// it asserts only with --max-rss-mib N (exit 1 above it).
//
//   npm run build && node bench/memory-bench.mjs [--files 100000] [--dir bench/.corpus/many] [--max-rss-mib 1024]

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
if (args.includes('--help')) {
  process.stdout.write(`${readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 8).map((l) => l.replace(/^\/\/ ?/, '')).join('\n')}\n`);
  process.exit(0);
}
const FILES = Number(opt('files', '100000'));
const DIR = path.resolve(opt('dir', path.join(REPO, 'bench/.corpus/many')));
const MAX = opt('max-rss-mib', null);

const PLAIN = (i) =>
  `"""Module ${i}."""\nimport dataclasses\n\n\n@dataclasses.dataclass\nclass Item${i}:\n    name: str\n    count: int = 0\n\n    def bump(self, by: int = 1) -> int:\n        self.count += by\n        return self.count\n\n\ndef total(items: list[Item${i}]) -> int:\n    return sum(x.count for x in items if x.count > ${i % 7})\n`;
const WS = (i) =>
  `from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n\n\n@app.websocket("/ws/${i}")\nasync def endpoint_${i}(websocket: WebSocket) -> None:\n    await websocket.accept()\n    while True:\n        data = await websocket.receive_text()\n        await websocket.send_text(data)\n`;

const stamp = path.join(DIR, '.generated');
if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== String(FILES)) {
  rmSync(DIR, { recursive: true, force: true });
  const t = Date.now();
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(DIR, `pkg${Math.floor(i / 1000)}`, `sub${Math.floor((i % 1000) / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `m${i}.py`), i % 50 === 0 ? WS(i) : PLAIN(i));
  }
  writeFileSync(stamp, String(FILES));
  process.stdout.write(`generated ${FILES} files in ${DIR} (${((Date.now() - t) / 1000).toFixed(1)} s)\n`);
}

const rssFile = path.join(os.tmpdir(), `hg-memory-bench-${process.pid}.json`);
const t = Date.now();
const r = spawnSync(
  process.execPath,
  ['--require', path.join(REPO, 'bench/rss-probe.cjs'), path.join(REPO, 'bin/handshake-guard.js'), 'scan', '--no-cache', '--format', 'json', '-o', path.join(os.tmpdir(), `hg-memory-bench-${process.pid}.out.json`), '.'],
  { cwd: DIR, encoding: 'utf8', env: { ...process.env, HG_BENCH_RSS_FILE: rssFile }, maxBuffer: 64 * 1024 * 1024 },
);
const seconds = (Date.now() - t) / 1000;
const usage = JSON.parse(readFileSync(rssFile, 'utf8'));
const report = JSON.parse(readFileSync(path.join(os.tmpdir(), `hg-memory-bench-${process.pid}.out.json`), 'utf8'));
const rssMib = usage.maxRSS / 1024;
process.stdout.write(
  `${FILES} files: exit ${r.status}, ${seconds.toFixed(1)} s, peak RSS ${rssMib.toFixed(0)} MiB, ` +
    `${report.summary.files} files and ${report.summary.loops} loops reported (expected ${Math.ceil(FILES / 50)})\n`,
);
if (r.stderr) process.stdout.write(r.stderr.split('\n').slice(0, 5).join('\n'));
rmSync(rssFile, { force: true });
if (MAX !== null && rssMib > Number(MAX)) {
  process.stdout.write(`peak RSS above ${MAX} MiB\n`);
  process.exit(1);
}
