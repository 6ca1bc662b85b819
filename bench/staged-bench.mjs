#!/usr/bin/env node
// How long `handshake-guard verify --staged` takes for a small commit in a large repository —
// what a pre-commit hook costs. It prints; it never asserts (not a test).
//
//   npm run build
//   node bench/staged-bench.mjs [--files 10000] [--staged 5] [--runs 7] [--keep] [--compare OTHER/bin/handshake-guard.js]
//
// Builds a git repository of `--files` Python modules (one in 50 a FastAPI WebSocket handler,
// the rest plain code), commits it, then changes and stages `--staged` of them (half of them
// handlers) and times the CLI, spawned as a hook would spawn it, `--runs` times after one
// untimed warm-up. For scale it also times `--version` (Node start-up and the CLI's imports)
// and a full `verify` of the whole tree once. CPU time (user + sys) comes from GNU time when
// /usr/bin/time exists. `--compare CLI` times another build (e.g. a `git archive` of an older
// commit, built) in the same runs, interleaved, so both see the same machine load.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(REPO, 'bin', 'handshake-guard.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? Number(process.argv[i + 1]) : fallback;
}
const FILES = arg('files', 10_000);
const STAGED = arg('staged', 5);
const RUNS = arg('runs', 7);
const KEEP = process.argv.includes('--keep');
const compareAt = process.argv.indexOf('--compare');
const COMPARE = compareAt >= 0 ? path.resolve(process.argv[compareAt + 1] ?? '') : null;
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

const git = (cwd, ...args) =>
  execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28 });

function plain(i) {
  return `"""Module ${i}."""
import dataclasses


@dataclasses.dataclass
class Record${i}:
    key: str
    value: int = ${i}

    def bump(self, by: int = 1) -> int:
        self.value += by
        return self.value


def total_${i}(records):
    return sum(r.value for r in records if r.key)
`;
}

function handler(i, guarded) {
  const guard = guarded
    ? `        deadline = time.monotonic() + 3.0
        while websocket.application_state != WebSocketState.CONNECTED:
            if websocket.application_state == WebSocketState.DISCONNECTED:
                break
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.01)
        if websocket.application_state != WebSocketState.CONNECTED:
            logger.warning("handshake not complete after 3.0 s")
            break
`
    : '';
  return `import asyncio
import logging
import time

from fastapi import APIRouter, WebSocket
from starlette.websockets import WebSocketState

router = APIRouter()
logger = logging.getLogger(__name__)


@router.websocket("/ws/${i}")
async def stream_${i}(websocket: WebSocket):
    await websocket.accept()
    while True:
${guard}        message = await websocket.receive_json()
        await websocket.send_json({"echo": message, "n": ${i}})
`;
}

function time(args, cwd, cli = CLI) {
  const t0 = process.hrtime.bigint();
  // The default result cache (on, as for a user), kept inside the temp repository's .git: never ~/.cache.
  const env = { ...process.env, HANDSHAKE_GUARD_CACHE_DIR: path.join(cwd, '.git', 'hg-bench-cache') };
  const timeFile = path.join(os.tmpdir(), `hg-staged-bench-time-${process.pid}`);
  const r = GNU_TIME
    ? spawnSync(GNU_TIME, ['-o', timeFile, '-f', '%U %S', process.execPath, cli, ...args], { cwd, encoding: 'utf8', env })
    : spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0 && r.status !== 1) throw new Error(`exit ${r.status}: ${r.stderr}`);
  let cpu = null;
  if (GNU_TIME) {
    const [user, sys] = readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
    cpu = (user + sys) * 1000;
    rmSync(timeFile, { force: true });
  }
  return { ms, cpu, code: r.status, stdout: r.stdout };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function stats(samples) {
  const wall = samples.map((x) => x.ms);
  const s = [...wall].sort((a, b) => a - b);
  const cpu = samples.every((x) => x.cpu !== null) ? `, CPU ${median(samples.map((x) => x.cpu)).toFixed(0)} ms` : '';
  return `median ${median(wall).toFixed(0)} ms [${s[0].toFixed(0)}–${s[s.length - 1].toFixed(0)}]${cpu}`;
}

const root = mkdtempSync(path.join(os.tmpdir(), 'hg-staged-bench-'));
try {
  process.stdout.write(`generating ${FILES} files in ${root} … `);
  let t = Date.now();
  for (let i = 0; i < FILES; i++) {
    const dir = path.join(root, 'src', `pkg${Math.floor(i / 100)}`);
    if (i % 100 === 0) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, `mod${i}.py`), i % 50 === 0 ? handler(i, true) : plain(i));
  }
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'corpus');
  console.log(`${((Date.now() - t) / 1000).toFixed(1)} s`);

  // The commit: half handlers (one left unguarded), half plain modules, edited and staged.
  const changed = [];
  for (let k = 0; k < STAGED; k++) {
    const i = k % 2 === 0 ? k * 50 : k * 50 + 1;
    const rel = path.join('src', `pkg${Math.floor(i / 100)}`, `mod${i}.py`);
    writeFileSync(path.join(root, rel), i % 50 === 0 ? `${handler(i, k !== 0)}\n# edited\n` : `${plain(i)}\n\ndef extra_${i}():\n    return ${i}\n`);
    changed.push(rel);
  }
  git(root, 'add', ...changed);

  const staged = time(['verify', '--staged', '--format', 'json'], root);
  const report = JSON.parse(staged.stdout);
  console.log(`verify --staged: ${report.summary.files} files, ${report.summary.loops} loops, exit ${staged.code}`);
  const samples = { staged: [], named: [], version: [], cmpStaged: [], cmpNamed: [], cmpVersion: [] };
  if (COMPARE) {
    const other = time(['verify', '--staged', '--format', 'json'], root, COMPARE);
    console.log(`the compared build's JSON report is ${other.stdout === staged.stdout ? 'identical' : 'DIFFERENT'}`);
  }
  for (let r = 0; r < RUNS; r++) {
    samples.version.push(time(['--version'], root));
    samples.staged.push(time(['verify', '--staged'], root));
    // As pre-commit calls it: the staged file names as arguments.
    samples.named.push(time(['verify', '--staged', ...changed], root));
    if (COMPARE) {
      samples.cmpVersion.push(time(['--version'], root, COMPARE));
      samples.cmpStaged.push(time(['verify', '--staged'], root, COMPARE));
      samples.cmpNamed.push(time(['verify', '--staged', ...changed], root, COMPARE));
    }
  }
  t = Date.now();
  const full = time(['verify', '--format', 'json', '--fail-on', 'never'], root);
  const fullMs = Date.now() - t;
  console.log('');
  console.log(`repository: ${FILES} Python files, ${STAGED} staged`);
  console.log(`handshake-guard --version                 ${stats(samples.version)}   (Node start-up + imports)`);
  console.log(`handshake-guard verify --staged           ${stats(samples.staged)}`);
  console.log(`handshake-guard verify --staged <files>   ${stats(samples.named)}   (as pre-commit runs it)`);
  if (COMPARE) {
    console.log(`compared: ${COMPARE}`);
    console.log(`  --version                               ${stats(samples.cmpVersion)}`);
    console.log(`  verify --staged                         ${stats(samples.cmpStaged)}`);
    console.log(`  verify --staged <files>                 ${stats(samples.cmpNamed)}`);
  }
  console.log(`handshake-guard verify (whole tree, once) ${fullMs} ms, ${JSON.parse(full.stdout).summary.files} files`);
} finally {
  if (KEEP) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
}
