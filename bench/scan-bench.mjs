#!/usr/bin/env node
// How long `handshake-guard scan` takes on a large Python tree, next to the floor (Node
// walking and reading every file) and, when installed, ast-grep. It prints; it never asserts.
//
//   npm run build
//   node bench/scan-bench.mjs [--corpus bench/.corpus/python] [--runs 5] [--files 5000] [--seed 1]
//                             [--regenerate] [--profile] [--no-ast-grep] [--ast-grep PATH]
//                             [--no-parse] [--cwd DIR] [--save FILE] [--lang python|ts]
//                             [--no-install] [--extra-args "ARGS"]
//
// --lang ts measures a TypeScript tree (bench/generate-ts.mjs, default corpus bench/.corpus/ts).
// --corpus DIR may name any directory: without a bench-manifest.json it is measured as it is
// (nothing is generated, nothing compared). When `ast-grep` is not on PATH, `@ast-grep/cli` is
// installed into bench/.cache/ast-grep (never a project dependency) unless --no-install.
// --extra-args passes options to the scan (e.g. "--no-prefilter").
// A generated corpus is made a git repository of its own with every file committed (as a
// user's checkout: its .gitignore rules, its HEAD for the breaking row) and every command runs
// from its root; --no-git measures it as a plain directory inside this repository instead (the
// figures before 2026-11-26's stat index: bench/.corpus is ignored here, which costs the walk
// a re-include variant of this repository's ignore rules per directory).
//
// The corpus is generated (bench/generate.mjs) when it is missing. Measured, each as a child
// process timed from spawn to exit (so each pays Node's start-up), `--runs` times after one
// untimed warm-up, interleaved; the table shows medians with [min–max]:
//   (a) bench/read-all.mjs: walk + read every .py file + one regex (the I/O floor)
//   (b) the CLI: scan <corpus> --format json -o <tmp> --fail-on never --no-cache (cold)
//   (b') the same without --no-cache, the default cache in a temp dir: the warm-up fills it,
//        every timed run is a re-scan of the unchanged tree (its JSON is compared with (b)'s)
//   (c) ast-grep with one structural rule, when `ast-grep` is on PATH (else skipped)
//   (d) bench/parse-all.mjs: (a) + a tree-sitter parse of every file with the CLI's parser
//   (e) bench/parse-all.mjs --walk children: (d) + one walk of every tree via namedChildren
// (d) and (e) are skipped with --no-parse.
// Peak RSS comes from GNU `/usr/bin/time -f %M`, else from the child's own
// process.resourceUsage() (bench/rss-probe.cjs; Node children only).

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH, '..');
const CLI = path.join(REPO, 'bin', 'handshake-guard.js');
const PROBE = path.join(BENCH, 'rss-probe.cjs');

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const o = {
    corpus: path.join(BENCH, '.corpus', 'python'),
    runs: 5,
    files: 5000,
    seed: 1,
    regenerate: false,
    profile: false,
    astGrep: true,
    parse: true,
    astGrepPath: null,
    cwd: REPO,
    save: null,
    lang: 'python',
    corpusGiven: false,
    install: true,
    extraArgs: [],
    git: true,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--corpus') {
      o.corpus = path.resolve(v());
      o.corpusGiven = true;
    } else if (a === '--lang') o.lang = v();
    else if (a === '--no-install') o.install = false;
    else if (a === '--no-git') o.git = false;
    else if (a === '--extra-args') o.extraArgs = v().split(/\s+/).filter(Boolean);
    else if (a === '--runs') o.runs = Number(v());
    else if (a === '--files') o.files = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--regenerate') o.regenerate = true;
    else if (a === '--profile') o.profile = true;
    else if (a === '--no-ast-grep') o.astGrep = false;
    else if (a === '--no-parse') o.parse = false;
    else if (a === '--ast-grep') o.astGrepPath = v();
    else if (a === '--cwd') o.cwd = path.resolve(v());
    else if (a === '--save') o.save = path.resolve(v());
    else if (a === '-h' || a === '--help') {
      const lines = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
      const header = lines.slice(0, lines.findIndex((l) => !l.startsWith('//')));
      console.log(header.map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.runs) || o.runs < 1) throw new Error('--runs must be a positive integer');
  if (!['python', 'ts'].includes(o.lang)) throw new Error('--lang must be python or ts');
  if (o.lang === 'ts') {
    if (!o.corpusGiven) o.corpus = path.join(BENCH, '.corpus', 'ts');
    o.parse = false;
  }
  return o;
}

// ---------------------------------------------------------------- the corpus as a repository

/** Makes the generated tree a repository of its own, every file committed (deterministic ids), unless it is one. */
function ensureRepository(dir) {
  if (existsSync(path.join(dir, '.git'))) return;
  const when = '2026-01-01T00:00:00Z';
  const env = { ...process.env, GIT_AUTHOR_NAME: 'bench', GIT_AUTHOR_EMAIL: 'bench@example.com', GIT_COMMITTER_NAME: 'bench', GIT_COMMITTER_EMAIL: 'bench@example.com', GIT_AUTHOR_DATE: when, GIT_COMMITTER_DATE: when };
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['-c', 'commit.gpgsign=false', 'commit', '-q', '-m', 'bench corpus']]) {
    const r = spawnSync('git', args, { cwd: dir, env, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed in ${dir}`);
  }
  // Files changed within 2 s of a read are not vouched for by the cache's stat index (racy):
  // let the fresh tree age past that, as any checkout has before it is re-scanned.
  spawnSync('sleep', ['2.1']);
}

// ---------------------------------------------------------------- measuring

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function gnuTimeWorks(tmp) {
  if (!existsSync('/usr/bin/time')) return false;
  const f = path.join(tmp, 'time-check');
  const r = spawnSync('/usr/bin/time', ['-f', '%M', '-o', f, process.execPath, '-e', '0'], { encoding: 'utf8' });
  return r.status === 0 && existsSync(f) && /^\d+\s*$/m.test(readFileSync(f, 'utf8'));
}

let seq = 0;
/** Runs one command to completion; wall time from spawn to exit, peak RSS in KiB when known. */
function runOnce(m, ctx) {
  const rssFile = path.join(ctx.tmp, `usage-${seq++}`);
  let file = m.cmd;
  let args = m.args;
  const env = { ...process.env, ...(m.env ?? {}) };
  if (ctx.gnuTime) {
    file = '/usr/bin/time';
    args = ['-f', '%M %e %U %S', '-o', rssFile, m.cmd, ...m.args];
  } else if (m.node) {
    args = ['--require', PROBE, ...m.args];
    env.HG_BENCH_RSS_FILE = rssFile;
  }
  const t0 = performance.now();
  const r = spawnSync(file, args, { cwd: m.cwd, env, encoding: 'utf8', maxBuffer: 1 << 30 });
  const wall = (performance.now() - t0) / 1000;
  let rssKiB = null;
  let cpu = null;
  if (existsSync(rssFile)) {
    const text = readFileSync(rssFile, 'utf8').trim();
    if (ctx.gnuTime) {
      // GNU time prefixes "Command exited with non-zero status N" when it does
      const last = text.split('\n').pop().trim().split(/\s+/).map(Number);
      if (last.length === 4 && last.every(Number.isFinite)) {
        rssKiB = last[0];
        cpu = last[2] + last[3];
      }
    } else {
      const u = JSON.parse(text);
      rssKiB = u.maxRSS;
      cpu = (u.userCPUTime + u.systemCPUTime) / 1e6;
    }
    rmSync(rssFile, { force: true });
  }
  if (r.error) throw r.error;
  return { wall, rssKiB, cpu, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const AST_GREP_VERSION = '0.51.1';
const AST_GREP_CACHE = path.join(BENCH, '.cache', 'ast-grep');

/** `@ast-grep/cli` into bench/.cache/ast-grep with npm (never a dependency of the project). */
function installAstGrep() {
  const bin = path.join(AST_GREP_CACHE, 'node_modules', '.bin', 'ast-grep');
  if (!existsSync(bin)) {
    console.log(`installing @ast-grep/cli@${AST_GREP_VERSION} into ${path.relative(process.cwd(), AST_GREP_CACHE)} …`);
    const r = spawnSync('npm', ['install', '--prefix', AST_GREP_CACHE, '--no-save', '--no-audit', '--no-fund', `@ast-grep/cli@${AST_GREP_VERSION}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0) {
      console.log(`  npm install failed (exit ${r.status}): ${(r.stderr || '').trim().split('\n').slice(-2).join(' | ')}`);
      return null;
    }
  }
  return existsSync(bin) ? bin : null;
}

function findAstGrep(explicit) {
  // Only `ast-grep` by that name: on many systems `sg` is newgrp(1), not ast-grep.
  const candidates = explicit ? [explicit] : ['ast-grep'];
  const cached = path.join(AST_GREP_CACHE, 'node_modules', '.bin', 'ast-grep');
  if (!explicit && existsSync(cached)) candidates.push(cached);
  for (const c of candidates) {
    const r = spawnSync(c, ['--version'], { encoding: 'utf8' });
    if (r.status === 0 && /^ast-grep\b/.test(r.stdout)) return { path: c, version: r.stdout.trim() };
  }
  return null;
}

// A rough structural equivalent of "a loop whose body receives" for ast-grep: while/for (and
// async for) statements containing a receive-like call. It does not know connections from
// queues or streams, nor guards: it shows what parsing the tree natively costs.
const AST_GREP_RULE = `id: message-loop
language: python
severity: info
message: loop that receives
rule:
  any:
    - kind: while_statement
    - kind: for_statement
  has:
    stopBy: end
    kind: call
    regex: '\\.(receive(_text|_bytes|_json)?|iter_(text|bytes|json))\\('
`;

// The TS/JS counterpart: loops (and forEach callbacks are left out) containing a `.send(` call.
const AST_GREP_RULE_TS = `id: message-loop
language: typescript
severity: info
message: loop that sends
rule:
  any:
    - kind: for_statement
    - kind: for_in_statement
    - kind: while_statement
    - kind: do_statement
  has:
    stopBy: end
    kind: call_expression
    regex: '\\.send\\('
`;

// ---------------------------------------------------------------- comparing with the manifest

function compare(report, manifest, corpus, cwd) {
  const norm = (f) => path.relative(corpus, path.resolve(cwd, f)).split(path.sep).join('/');
  const key = (file, line) => `${file}:${line}`;
  const expected = new Map(manifest.loops.map((l) => [key(l.file, l.line), l]));
  const decoys = new Map(manifest.decoys.map((l) => [key(l.file, l.line), l]));
  const found = new Map(report.loops.map((l) => [key(norm(l.file), l.line), l]));
  const missed = [...expected.values()].filter((l) => !found.has(key(l.file, l.line)));
  const extra = [];
  const decoysReported = [];
  for (const [k, l] of found) {
    if (expected.has(k)) continue;
    if (decoys.has(k)) decoysReported.push({ ...decoys.get(k), got: l.guard.kind });
    else extra.push({ file: norm(l.file), line: l.line, function: l.function, got: l.guard.kind });
  }
  const byShape = new Map();
  for (const l of expected.values()) {
    const f = found.get(key(l.file, l.line));
    const row = byShape.get(l.shape) ?? { shape: l.shape, expected: l.expectedGuard, n: 0, found: 0, got: {} };
    row.n++;
    if (f) {
      row.found++;
      row.got[f.guard.kind] = (row.got[f.guard.kind] ?? 0) + 1;
    }
    byShape.set(l.shape, row);
  }
  const mismatched = [...expected.values()]
    .map((l) => ({ ...l, got: found.get(key(l.file, l.line))?.guard.kind }))
    .filter((l) => l.got && l.got !== l.expectedGuard);
  // Inline polling guards: the manifest knows what their fingerprint should say.
  const FIELDS = ['timeoutSeconds', 'intervalSeconds', 'clock', 'exitsOnTerminalState', 'logsOnTimeout'];
  let fingerprinted = 0;
  const fingerprintDiffs = [];
  for (const l of expected.values()) {
    const fp = found.get(key(l.file, l.line))?.guard.fingerprint;
    if (l.timeoutSeconds === undefined || !fp) continue;
    fingerprinted++;
    const diff = FIELDS.filter((f) => fp[f] !== l[f]).map((f) => `${f} expected ${l[f]}, got ${fp[f]}`);
    if (diff.length) fingerprintDiffs.push({ ...l, diff });
  }
  return { missed, extra, decoysReported, mismatched, fingerprinted, fingerprintDiffs, byShape: [...byShape.values()].sort((a, b) => a.shape.localeCompare(b.shape)) };
}

// ---------------------------------------------------------------- output

const fmtS = (s) => (s >= 10 ? s.toFixed(1) : s.toFixed(2));
const fmtMB = (kib) => (kib == null ? 'n/a' : `${Math.round(kib / 1024)} MB`);

function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r, ri) => r.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ') + (ri === 0 ? `\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : '')).join('\n');
}

function git(args) {
  const r = spawnSync('git', args, { cwd: REPO, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

// ---------------------------------------------------------------- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(path.join(REPO, 'dist', 'src', 'cli', 'main.js'))) {
    console.error('scan-bench: dist/ is missing: run `npm run build` first');
    process.exitCode = 2;
    return;
  }
  const manifestPath = path.join(o.corpus, 'bench-manifest.json');
  const { generate, GENERATOR_VERSION } = await import('./generate.mjs');
  const { generateTs, TS_GENERATOR_VERSION } = await import('./generate-ts.mjs');
  let manifest = existsSync(manifestPath) ? JSON.parse(readFileSync(manifestPath, 'utf8')) : null;
  const anyDir = o.corpusGiven && !manifest && existsSync(o.corpus) && !o.regenerate;
  const version = o.lang === 'ts' ? TS_GENERATOR_VERSION : GENERATOR_VERSION;
  if (!anyDir && (o.regenerate || !manifest || manifest.generatorVersion !== version)) {
    console.log(`generating the ${o.lang} corpus (${o.files} files, seed ${o.seed}) …`);
    manifest = o.lang === 'ts' ? generateTs({ out: o.corpus, files: o.files, seed: o.seed }) : generate({ out: o.corpus, files: o.files, seed: o.seed });
  }
  if (!anyDir && o.git) {
    ensureRepository(o.corpus);
    if (o.cwd === REPO) o.cwd = o.corpus;
  }
  if (anyDir) {
    // Any directory: its size comes from one read-all pass.
    const { readAll } = await import('./read-all.mjs');
    const ra = readAll(o.corpus, o.lang);
    manifest = { generatorVersion: 'n/a (not generated)', seed: 'n/a', summary: { files: ra.files, lines: ra.lines, bytes: ra.bytes }, loops: null, decoys: null };
  }
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-bench-'));
  const jsonOut = path.join(tmp, 'scan.json');
  const jsonWarm = path.join(tmp, 'scan-warm.json');
  const ctx = { tmp, gnuTime: gnuTimeWorks(tmp) };
  const corpusArg = path.relative(o.cwd, o.corpus) || '.';

  const measurements = [
    { id: 'read-all', label: '(a) read-all: walk + read + 1 regex (Node)', cmd: process.execPath, node: true, args: [path.join(BENCH, 'read-all.mjs'), o.corpus, '--lang', o.lang], cwd: o.cwd },
    { id: 'scan', label: `(b) scan --no-cache (cold: every file parsed)${o.extraArgs.length ? ` ${o.extraArgs.join(' ')}` : ''}`, cmd: process.execPath, node: true, args: [CLI, 'scan', corpusArg, '--format', 'json', '-o', jsonOut, '--fail-on', 'never', '--no-cache', ...o.extraArgs], cwd: o.cwd },
    // The default cache, pointed at a temp dir: the untimed warm-up run fills it, every timed run is a re-scan.
    { id: 'scan-warm', label: `(b') scan, warm default cache${o.extraArgs.length ? ` ${o.extraArgs.join(' ')}` : ''}`, cmd: process.execPath, node: true, args: [CLI, 'scan', corpusArg, '--format', 'json', '-o', jsonWarm, '--fail-on', 'never', ...o.extraArgs], cwd: o.cwd, env: { HANDSHAKE_GUARD_CACHE_DIR: path.join(tmp, 'cache') } },
  ];
  const notes = [];
  let astGrep = null;
  if (o.astGrep) {
    astGrep = findAstGrep(o.astGrepPath);
    if (!astGrep && !o.astGrepPath && o.install && installAstGrep()) astGrep = findAstGrep(null);
    if (astGrep) {
      const rule = path.join(tmp, 'message-loop.yml');
      writeFileSync(rule, o.lang === 'ts' ? AST_GREP_RULE_TS : AST_GREP_RULE);
      measurements.push({ id: 'ast-grep', label: `(c) ast-grep scan (1 rule, ${os.availableParallelism()} threads)`, cmd: astGrep.path, node: false, args: ['scan', '--rule', rule, '--json=stream', o.corpus], cwd: o.cwd });
    } else notes.push('(c) ast-grep: skipped, `ast-grep` is not on PATH (`--ast-grep PATH` to name one)');
  } else notes.push('(c) ast-grep: skipped (--no-ast-grep)');
  if (o.parse) {
    const parseAll = path.join(BENCH, 'parse-all.mjs');
    measurements.push(
      { id: 'parse', label: '(d) read-all + tree-sitter parse (CLI parser)', cmd: process.execPath, node: true, args: [parseAll, o.corpus], cwd: o.cwd },
      { id: 'parse-walk', label: '(e) (d) + 1 namedChildren walk per tree', cmd: process.execPath, node: true, args: [parseAll, o.corpus, '--walk', 'children'], cwd: o.cwd },
    );
  } else notes.push('(d), (e) parse floors: skipped (--no-parse)');

  const cpus = os.cpus();
  console.log(`corpus   ${path.relative(process.cwd(), o.corpus) || '.'}: ${manifest.summary.files.toLocaleString('en-US')} ${o.lang === 'ts' ? 'TS/JS' : '.py'} files, ${manifest.summary.lines.toLocaleString('en-US')} lines, ${(manifest.summary.bytes / 1e6).toFixed(1)} MB (generator v${manifest.generatorVersion}, seed ${manifest.seed})`);
  console.log(`machine  ${os.availableParallelism()} CPUs (${cpus[0]?.model ?? '?'}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`);
  console.log(`commit   ${process.env.HG_BENCH_COMMIT ?? git(['rev-parse', '--short', 'HEAD']) ?? '?'}${git(['status', '--porcelain', '--', 'src', 'rules', 'bin']) ? ' (+ uncommitted changes in src/rules/bin)' : ''}; date ${new Date().toISOString().slice(0, 10)}`);
  console.log(`method   ${o.runs} timed runs after 1 warm-up, interleaved; peak RSS from ${ctx.gnuTime ? 'GNU /usr/bin/time' : 'process.resourceUsage() of the child (rss-probe.cjs)'}; scan cwd ${path.relative(process.cwd(), o.cwd) || '.'}`);
  console.log('');

  const loadBefore = os.loadavg();
  const results = new Map(measurements.map((m) => [m.id, []]));
  const last = new Map();
  for (let run = 0; run <= o.runs; run++) {
    for (const m of measurements) {
      const r = runOnce(m, ctx);
      last.set(m.id, r);
      if (run > 0) results.get(m.id).push(r);
      process.stderr.write(`\r${run === 0 ? 'warm-up' : `run ${run}/${o.runs}`} ${m.id}: ${r.wall.toFixed(2)} s        `);
    }
  }
  process.stderr.write('\r'.padEnd(60) + '\r');

  const stat = (id) => {
    const rs = results.get(id);
    const walls = rs.map((r) => r.wall);
    const rss = rs.map((r) => r.rssKiB).filter((x) => x != null);
    const cpu = rs.map((r) => r.cpu).filter((x) => x != null);
    // Median and largest peak RSS: a run whose heap V8 lets grow (it happens) must show.
    return { wall: median(walls), min: Math.min(...walls), max: Math.max(...walls), rssKiB: rss.length ? median(rss) : null, rssMaxKiB: rss.length ? Math.max(...rss) : null, cpu: cpu.length ? median(cpu) : null, walls, rssKiBs: rss };
  };
  const base = stat('read-all');
  const rows = [['measurement', 'wall (median)', '[min – max]', 'CPU (user+sys)', 'peak RSS (median / max)', '÷ read-all']];
  const summary = {};
  for (const m of measurements) {
    const s = stat(m.id);
    summary[m.id] = s;
    rows.push([m.label, `${fmtS(s.wall)} s`, `[${fmtS(s.min)} – ${fmtS(s.max)}]`, s.cpu == null ? 'n/a' : `${fmtS(s.cpu)} s`, `${fmtMB(s.rssKiB)} / ${fmtMB(s.rssMaxKiB)}`, `${(s.wall / base.wall).toFixed(1)}×`]);
  }
  console.log(table(rows));
  for (const n of notes) console.log(n);
  const la = (l) => l.map((x) => x.toFixed(2)).join(' ');
  const loadAfter = os.loadavg();
  console.log(`load average before ${la(loadBefore)}, after ${la(loadAfter)} (1/5/15 min; the benchmark itself keeps one core busy, so ≈1 means no other load)`);

  // What each measurement saw.
  const ra = JSON.parse(last.get('read-all').stdout);
  console.log('');
  console.log(`(a) read ${ra.files} files, ${ra.lines.toLocaleString('en-US')} lines, ${(ra.bytes / 1e6).toFixed(1)} MB, ${ra.matches} receive-call matches; in-process time ${(ra.ms / 1000).toFixed(2)} s (the rest of its wall time is Node start-up)`);
  const scanRun = last.get('scan');
  const s = summary.scan;
  const w = summary['scan-warm'];
  const ratio = (a, b) => `${(a.wall / b.wall).toFixed(2)}× wall, ${a.cpu != null && b.cpu ? (a.cpu / b.cpu).toFixed(2) : 'n/a'}× CPU`;
  console.log(`ratios   cold scan ÷ read-all: ${ratio(s, base)}; warm scan ÷ read-all: ${ratio(w, base)} (goal: ≤ ${o.lang === 'ts' ? '2' : '1.5'}×)`);
  const same = existsSync(jsonOut) && existsSync(jsonWarm) && readFileSync(jsonOut, 'utf8') === readFileSync(jsonWarm, 'utf8');
  console.log(`(b') the warm scan's JSON report is ${same ? 'identical to' : 'DIFFERENT FROM'} the cold one's; exit ${last.get('scan-warm').status}`);
  console.log(`(b) exit ${scanRun.status}; ${(ra.files / s.wall).toFixed(0)} files/s, ${Math.round(ra.lines / s.wall / 1000)}k lines/s, ${(ra.bytes / 1e6 / s.wall).toFixed(1)} MB/s`);
  if (scanRun.stderr.trim() || scanRun.stdout.trim()) {
    const printed = `${scanRun.stdout}${scanRun.stderr}`.trim().split('\n');
    console.log(`    the scan printed ${printed.length} line(s):`);
    for (const l of printed.slice(0, 15)) console.log(`      ${l}`);
  }
  if (astGrep) {
    const ag = last.get('ast-grep');
    const matches = ag.stdout.split('\n').filter(Boolean).length;
    console.log(`(c) ${astGrep.version}: ${matches} loops containing a receive-like call (a structural approximation: no connection, guard or framework analysis); exit ${ag.status}`);
    if (ag.stderr.trim()) console.log(`    stderr: ${ag.stderr.trim().split('\n').slice(0, 3).join(' | ')}`);
    console.log(`    cold scan ÷ ast-grep: ${ratio(s, summary['ast-grep'])}; warm scan ÷ ast-grep: ${ratio(w, summary['ast-grep'])} (goal: ≤ 0.33×, i.e. ≥ 3× faster than ast-grep)`);
  }
  if (o.parse) {
    const d = JSON.parse(last.get('parse').stdout);
    const e = JSON.parse(last.get('parse-walk').stdout);
    const parseS = summary.parse.wall - base.wall;
    const walkS = summary['parse-walk'].wall - summary.parse.wall;
    console.log(`(d) parsed ${d.files} files, ${d.errors} with syntax errors; parsing adds ${fmtS(parseS)} s to (a) (${((parseS * 1000) / d.files).toFixed(2)} ms/file)`);
    console.log(`(e) one walk visits ${e.nodes.toLocaleString('en-US')} named nodes and adds ${fmtS(walkS)} s (${((walkS * 1e6) / e.nodes).toFixed(2)} µs/node)`);
    const rest = s.wall - summary.parse.wall;
    console.log(`    so of the scan's ${fmtS(s.wall)} s: ~${fmtS(base.wall)} s start-up + I/O, ~${fmtS(parseS)} s parsing, ~${fmtS(rest)} s the rest (analysis, = ${(rest / walkS).toFixed(1)} whole-tree walks' worth)`);
  }

  let cmp = null;
  if (existsSync(jsonOut)) {
    const report = JSON.parse(readFileSync(jsonOut, 'utf8'));
    const kinds = report.loops.reduce((acc, l) => ((acc[l.guard.kind] = (acc[l.guard.kind] ?? 0) + 1), acc), {});
    const rules = report.findings.reduce((acc, f) => ((acc[f.ruleId] = (acc[f.ruleId] ?? 0) + 1), acc), {});
    console.log('');
    console.log(`scan report: ${report.summary.files} files, ${report.summary.loops} loops (${report.summary.guarded} guarded), ${report.summary.errors} errors, ${report.summary.warnings} warnings`);
    console.log(`  guard kinds: ${Object.entries(kinds).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log(`  findings by rule: ${Object.entries(rules).sort().map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`);
    console.log(`  checks: ${report.checks.map((c) => `${c.id} ${c.status}`).join(', ')}`);
    if (!Array.isArray(manifest.loops)) {
      if (manifest.wsModules) console.log(`  the generator wrote ${manifest.summary.wsModules} ws client modules with ${manifest.summary.loops} loops (${manifest.wsModules.flatMap((m) => m.loops).filter((l) => l.shape !== 'decoy').length} that send)`);
    } else cmp = compare(report, manifest, o.corpus, o.cwd);
  }
  if (cmp) {
    console.log('');
    console.log(`against the generator's manifest (${manifest.loops.length} message loops, ${manifest.decoys.length} decoy loops that are not message loops):`);
    const shapeRows = [['shape', 'expected guard', 'loops', 'found', 'guard kinds reported']];
    for (const r of cmp.byShape) shapeRows.push([r.shape, r.expected, r.n, r.found, Object.entries(r.got).map(([k, v]) => `${k} ${v}`).join(', ') || '-']);
    console.log(table(shapeRows).replace(/^/gm, '  '));
    const show = (title, list, fmt) => {
      console.log(`  ${title}: ${list.length}`);
      for (const x of list.slice(0, 8)) console.log(`    ${fmt(x)}`);
      if (list.length > 8) console.log(`    … and ${list.length - 8} more`);
    };
    show('missed (expected, not reported)', cmp.missed, (x) => `${x.file}:${x.line} ${x.function} [${x.shape}]`);
    show('guard kind differs from the expected one', cmp.mismatched, (x) => `${x.file}:${x.line} ${x.function} [${x.shape}] expected ${x.expectedGuard}, got ${x.got}`);
    console.log(`  inline polling guards whose fingerprint was compared (${['timeout', 'interval', 'clock', 'exits on DISCONNECTED', 'logs'].join(', ')}): ${cmp.fingerprinted}`);
    show('fingerprint differs from the generated guard', cmp.fingerprintDiffs, (x) => `${x.file}:${x.line} ${x.function} [${x.shape}] ${x.diff.join('; ')}`);
    show('decoys reported as message loops', cmp.decoysReported, (x) => `${x.file}:${x.line} ${x.function} [${x.shape}] as ${x.got}`);
    show('other loops reported, not in the manifest', cmp.extra, (x) => `${x.file}:${x.line} ${x.function} (${x.got})`);
  } else if (!existsSync(jsonOut)) {
    console.log(`\nthe scan wrote no JSON report (exit ${scanRun.status})`);
  }

  let profile = null;
  if (o.profile) {
    const { summarise, formatSummary } = await import('./profile-top.mjs');
    const dir = path.join(tmp, 'prof');
    const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, CLI, 'scan', corpusArg, '--format', 'json', '-o', jsonOut, '--fail-on', 'never', '--no-cache'], { cwd: o.cwd, encoding: 'utf8' });
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.cpuprofile')) : null;
    console.log('');
    if (!file) console.log(`profile: no .cpuprofile written (exit ${r.status})`);
    else {
      profile = summarise(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
      console.log(`profile of one scan (node --cpu-prof; profiling slows it down):`);
      console.log(formatSummary(profile, 15).replace(/^/gm, '  '));
    }
  }

  if (o.save) {
    const r3 = (x) => (x == null ? x : Number(x.toFixed(3)));
    const strip = (st) => ({ wall: r3(st.wall), min: r3(st.min), max: r3(st.max), cpu: r3(st.cpu), rssKiB: st.rssKiB, walls: st.walls.map(r3) });
    writeFileSync(
      o.save,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          commit: process.env.HG_BENCH_COMMIT ?? git(['rev-parse', 'HEAD']),
          cpus: os.availableParallelism(),
          cpuModel: cpus[0]?.model ?? null,
          node: process.version,
          runs: o.runs,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadAfter,
          corpus: manifest.summary,
          results: Object.fromEntries(Object.entries(summary).map(([k, v]) => [k, strip(v)])),
          comparison: cmp && { missed: cmp.missed.length, mismatched: cmp.mismatched.length, fingerprinted: cmp.fingerprinted, fingerprintDiffs: cmp.fingerprintDiffs.length, decoysReported: cmp.decoysReported.length, extra: cmp.extra.length, byShape: cmp.byShape },
          profileTop: profile?.functions.slice(0, 15).map((f) => ({ ...f, ms: Math.round(f.ms), share: r3(f.share) })) ?? null,
          profileProjectInclusive: profile?.projectInclusive.slice(0, 15).map((f) => ({ ...f, ms: Math.round(f.ms), share: r3(f.share) })) ?? null,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`\nsaved ${path.relative(process.cwd(), o.save)}`);
  }
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`scan-bench: ${e.message}`);
  process.exitCode = 2;
});
