#!/usr/bin/env node
// Issue #5: what the type-aware TS path costs. Scans the generated TS tree (whose sockets the
// syntax places: the checker is never asked) and its typed copy (sockets from a factory: only the
// checker places them) with `--no-types` and with the found tsconfig.json, N times interleaved,
// under GNU time; prints wall, CPU (user + sys) and peak RSS per run and the medians, and checks
// each report against the manifest (the typed copy with --no-types must find no loop).
//
//   npm run build && node bench/types-bench.mjs [--runs 3] [--bin OTHER/bin/handshake-guard.js]
//
// --bin adds a run of another build with `--project tsconfig.json` on the typed copy (e.g. a build
// of 5f08c97, whose --project loaded the whole program).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const runs = Number(arg('--runs', '3'));
const otherBin = arg('--bin', null);
const BIN = path.resolve(here, '../bin/handshake-guard.js');
const PLAIN = path.join(here, '.corpus/ts');
const TYPED = path.join(here, '.corpus/ts-typed');
if (!existsSync('/usr/bin/time')) throw new Error('GNU time (/usr/bin/time) is needed for CPU and peak RSS');
if (!existsSync(path.join(PLAIN, 'bench-manifest.json'))) execFileSync(process.execPath, [path.join(here, 'generate-ts.mjs'), '--out', PLAIN, '--files', '5000', '--seed', '1'], { stdio: 'inherit' });
if (!existsSync(path.join(TYPED, 'bench-manifest.json'))) execFileSync(process.execPath, [path.join(here, 'ts-typed-corpus.mjs'), '--from', PLAIN, '--out', TYPED], { stdio: 'inherit' });

const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-types-bench-'));
const manifest = JSON.parse(readFileSync(path.join(PLAIN, 'bench-manifest.json'), 'utf8'));
const expected = manifest.wsModules.flatMap((m) => m.loops);
const KIND = { polling: 'polling', unguarded: 'none', check: 'check' };

/** How many manifest entries the report gets right (loops with their guard kind; decoys absent). */
function agreement(report) {
  const got = new Map(report.loops.map((l) => [`${l.file}:${l.line}`, l.guard.kind]));
  const right = expected.filter((l) => (l.shape === 'decoy' ? !got.has(`${l.file}:${l.line}`) : got.get(`${l.file}:${l.line}`) === KIND[l.shape])).length;
  return `${right}/${expected.length} manifest entries right, ${report.loops.length} loops`;
}

function measure(label, dir, bin, extra) {
  const out = path.join(tmp, `${label}.json`);
  const usage = path.join(tmp, `${label}.time`);
  spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', usage, process.execPath, bin, 'scan', '--format', 'json', '-o', out, '--fail-on', 'never', ...extra, '.'], { cwd: dir, stdio: 'ignore' });
  const [wall, user, sys, kb] = readFileSync(usage, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  const report = JSON.parse(readFileSync(out, 'utf8'));
  return { label, wall, cpu: user + sys, mb: Math.round(kb / 1024), check: agreement(report) };
}

const configs = [
  ['tree --no-types', PLAIN, BIN, ['--no-types']],
  ['tree types (found tsconfig)', PLAIN, BIN, []],
  ['typed copy --no-types', TYPED, BIN, ['--no-types']],
  ['typed copy types (found tsconfig)', TYPED, BIN, []],
];
const results = new Map(configs.map(([label]) => [label, []]));
for (let r = 0; r < runs; r++) {
  for (const [label, dir, bin, extra] of configs) {
    const m = measure(label, dir, bin, extra);
    results.get(label).push(m);
    console.log(`run ${r + 1}: ${label}: wall ${m.wall.toFixed(2)} s, CPU ${m.cpu.toFixed(2)} s, peak ${m.mb} MB; ${m.check}`);
  }
}
if (otherBin) {
  const m = measure('other build --project', TYPED, path.resolve(otherBin), ['--project', 'tsconfig.json']);
  console.log(`other build ${otherBin} --project tsconfig.json on the typed copy: wall ${m.wall.toFixed(2)} s, CPU ${m.cpu.toFixed(2)} s, peak ${m.mb} MB; ${m.check}`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('\nmedians:');
for (const [label, ms] of results) {
  console.log(`  ${label}: wall ${median(ms.map((m) => m.wall)).toFixed(2)} s, CPU ${median(ms.map((m) => m.cpu)).toFixed(2)} s, peak ${median(ms.map((m) => m.mb))} MB; ${ms[0].check}`);
}
rmSync(tmp, { recursive: true, force: true });
