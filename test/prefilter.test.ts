// The text prefilter (issue #8) is an optimisation, never a change in results: every corpus
// scanned with and without it gives the same report, the same notes and the same per-file results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run, type RunResult } from '../src/engine/run.js';
import { importTargets, LoopPrefilter } from '../src/languages/python/prefilter.js';
import { needsScriptAnalysis } from '../src/languages/typescript/prefilter.js';
import { comparable as fullComparable } from './helpers/comparable.js';
// @ts-expect-error -- a plain .mjs script without type declarations
import { generate } from '../bench/generate.mjs';
// @ts-expect-error -- a plain .mjs script without type declarations
import { generateTs } from '../bench/generate-ts.mjs';

const ROOT = path.resolve(__dirname, '..');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-prefilter-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function comparable(r: RunResult): unknown {
  return {
    report: r.report,
    notes: r.notes,
    files: r.files.map((f) => ({ file: f.file, skipped: f.skipped, syntax: f.syntax, loops: f.loops.length, suppressions: f.suppressions })),
  };
}

async function expectSameWithAndWithout(cwd: string, paths: string[] = ['.']): Promise<RunResult> {
  const on = await run({ cwd, paths });
  const off = await run({ cwd, paths, prefilter: false });
  expect(comparable(on)).toEqual(comparable(off));
  return on;
}

function writeTree(dir: string, files: Record<string, string>): string {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('prefilter on/off equivalence', () => {
  it('the Python fixtures', async () => {
    const r = await expectSameWithAndWithout(path.join(ROOT, 'fixtures/python'));
    expect(r.report.loops.length).toBeGreaterThan(100);
  }, 120_000);

  it('the examples', async () => {
    await expectSameWithAndWithout(path.join(ROOT, 'examples'));
  }, 60_000);

  it('a generated tree (bench/generate.mjs, 250 files, 10% WebSocket modules)', async () => {
    const out = path.join(tmp, 'generated');
    generate({ out, files: 250, seed: 5, wsShare: 0.1, quiet: true });
    const r = await expectSameWithAndWithout(out);
    // Loops through the helper imported from core/ws_guards.py are in the tree, and found both ways.
    expect(r.report.loops.length).toBeGreaterThan(10);
  }, 120_000);

  it('the built CLI gives the same JSON report with --jobs 1, --jobs 2 (worker threads, also when they die mid-scan) and --no-prefilter', () => {
    const cli = path.join(ROOT, 'bin/handshake-guard.js');
    // The worker threads run the built JavaScript (npm test builds dist/ before vitest runs).
    if (!existsSync(path.join(ROOT, 'dist/src/engine/python-worker.js'))) return;
    const out = path.join(tmp, 'generated-cli');
    generate({ out, files: 120, seed: 9, wsShare: 0.1, quiet: true });
    const scan = (...extra: string[]): string => {
      const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
      if (extra[0] === 'crash') {
        extra.shift();
        env['HG_TEST_THREAD_EXIT_AFTER'] = '7';
      }
      const r = spawnSync(process.execPath, [cli, 'scan', '.', '--format', 'json', '--fail-on', 'never', ...extra], { cwd: out, encoding: 'utf8', env });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return r.stdout;
    };
    const one = scan('--jobs', '1');
    expect(JSON.parse(one).loops.length).toBeGreaterThan(5);
    expect(scan('--jobs', '2')).toBe(one);
    expect(scan('--jobs', '2', '--no-prefilter')).toBe(one);
    // Threads that die after 7 files hand the rest back to the main thread: same report.
    expect(scan('crash', '--jobs', '2')).toBe(one);
  }, 120_000);

  it('a loop that receives only through helpers defined in other files (re-exported, two calls deep)', async () => {
    const dir = writeTree(path.join(tmp, 'cross'), {
      'app/__init__.py': 'from .helpers import next_message\n',
      'app/helpers.py': 'async def _raw(conn):\n    return await conn.receive_text()\n\n\nasync def next_message(conn):\n    return await _raw(conn)\n',
      'app/routes.py': 'from app import next_message\n\n\nasync def handler(conn):\n    while True:\n        msg = await next_message(conn)\n        print(msg)\n',
      'app/plain.py': 'import os\n\n\ndef total(xs):\n    n = 0\n    for x in xs:\n        n += x\n    return n\n',
    });
    const r = await expectSameWithAndWithout(dir);
    expect(r.report.loops.map((l) => `${l.file}:${l.line}`)).toEqual(['app/routes.py:5']);
  });
});

describe('what the prefilter lets through', () => {
  const dir = writeTree(path.join(tmp, 'unit'), {
    'pkg/__init__.py': '',
    'pkg/ws.py': 'async def get(ws):\n    return await ws.receive_json()\n',
    'pkg/util.py': 'def f():\n    return 1\n',
  });
  const reader = { read: (p: string): string | null => readFileSync(p, 'utf8') };

  it('a loop keyword glued to a number (a syntax error) is still a loop to tree-sitter', async () => {
    const dir = writeTree(path.join(tmp, 'py-glued'), {
      'glued.py': 'from fastapi import WebSocket\n\n\nasync def handler(websocket: WebSocket):\n    await websocket.accept()\n    x = 0while True:\n        await websocket.receive_text()\n',
    });
    const r = await expectSameWithAndWithout(dir);
    expect(r.report.findings.map((f) => `${f.ruleId}:${f.line}`)).toEqual(['HG011:1', 'HG001:6']);
  }, 60_000);

  it('skips files with no loop keyword, and files whose imports lead to no receive-like text', () => {
    const pf = new LoopPrefilter([], dir, reader);
    let n = 0;
    // One file name per text: results are remembered per file.
    const file = (): string => path.join(dir, `pkg/main${n++}.py`);
    expect(pf.needsLoopAnalysis(file(), 'x = 1\n')).toBe(false);
    expect(pf.needsLoopAnalysis(file(), 'import os\nfrom pkg.util import f\nwhile True:\n    f()\n')).toBe(false);
    expect(pf.needsLoopAnalysis(file(), 'from pkg.ws import get\nwhile True:\n    get(x)\n')).toBe(true);
    expect(pf.needsLoopAnalysis(file(), 'from . import ws\nwhile True:\n    ws.get(x)\n')).toBe(true);
    expect(pf.needsLoopAnalysis(file(), 'import pkg\nwhile True:\n    pkg.ws.get(x)\n')).toBe(true);
    expect(pf.needsLoopAnalysis(file(), 'while True:\n    await sock.RECV()\n')).toBe(true);
  });

  it('looks for imports up to the repository that holds the file, as the module index does, not above it', () => {
    // Above the repository, `import sys` found `/sys` and listed every directory under it.
    const outer = writeTree(path.join(tmp, 'outer'), {
      'sysmod/deep/a.py': 'async def get(ws):\n    return await ws.receive_json()\n',
      'repo/.git/HEAD': 'ref: refs/heads/main\n',
      'repo/app/main.py': 'import sysmod\nwhile True:\n    sysmod.deep.a.get(x)\n',
      'loose/main.py': 'import sysmod\nwhile True:\n    sysmod.deep.a.get(x)\n',
    });
    const seen: string[] = [];
    const pf = new LoopPrefilter([], outer, reader);
    pf.observer = (_kind, p) => seen.push(p);
    const main = path.join(outer, 'repo/app/main.py');
    expect(pf.needsLoopAnalysis(main, readFileSync(main, 'utf8'))).toBe(false);
    expect(seen.filter((p) => !p.startsWith(path.join(outer, 'repo') + path.sep))).toEqual([]);
    // Outside any repository the search goes up as the index's does: the package above is found.
    const loose = path.join(outer, 'loose/main.py');
    expect(pf.needsLoopAnalysis(loose, readFileSync(loose, 'utf8'))).toBe(true);
  });

  it('configured receive methods count as receive-like', () => {
    const pf = new LoopPrefilter(['pull_frame'], dir, reader);
    expect(pf.needsLoopAnalysis(path.join(dir, 'x.py'), 'while True:\n    c.pull_frame()\n')).toBe(true);
  });

  it('reads imports in every spelling', () => {
    const dotted = (text: string) => importTargets(text, 'pkg/mod.py').map((t) => t.dotted);
    expect(dotted('from a.b import (c,\n  d as e)\n')).toEqual(expect.arrayContaining(['a', 'a.b', 'a.b.c', 'a.b.d']));
    expect(dotted('import x.y as z, w\n')).toEqual(expect.arrayContaining(['x', 'x.y', 'w']));
    expect(dotted('if t: import q; import r\n')).toEqual(expect.arrayContaining(['q', 'r']));
    expect(dotted('from \\\n  m import \\\n  n\n')).toEqual(expect.arrayContaining(['m', 'm.n']));
    expect(dotted('from ..up import v\n')).toEqual(expect.arrayContaining(['up', 'up.v', 'pkg']));
  });
});

describe('TS/JS prefilter (languages/typescript/prefilter.ts) on/off equivalence', () => {
  async function sameBothWays(cwd: string): Promise<RunResult> {
    const on = await run({ cwd, paths: ['.'] });
    const off = await run({ cwd, paths: ['.'], prefilter: false });
    expect(fullComparable(on)).toEqual(fullComparable(off));
    return on;
  }

  it('the TS/JS fixtures', async () => {
    const r = await sameBothWays(path.join(ROOT, 'fixtures/typescript'));
    expect(r.report.loops.length).toBeGreaterThan(50);
    expect(r.report.findings.some((f) => f.ruleId === 'HG012')).toBe(true);
  }, 120_000);

  it('a generated TS tree (bench/generate-ts.mjs, 300 files, 10% ws clients)', async () => {
    const out = path.join(tmp, 'generated-ts');
    generateTs({ out, files: 300, seed: 7, wsShare: 0.1, quiet: true });
    expect((await sameBothWays(out)).report.loops.length).toBeGreaterThan(10);
  }, 120_000);

  it('words spelled with escapes, suppressions, platform issues and syntax errors in files with no loop', async () => {
    const dir = writeTree(path.join(tmp, 'ts-words'), {
      // `s\u0065nd` is `send`: the escape sends the file to the full analysis.
      'escaped.ts': "import WebSocket from 'ws';\nconst ws = new WebSocket('ws://x');\nexport function f(xs: string[]): void {\n  for (const x of xs) ws.s\\u0065nd(x);\n}\n",
      // No loop, no use: an unused suppression is still reported (HG000).
      'suppressed.ts': '// handshake-guard: ignore[HG001] -- nothing here\nexport const x = 1;\n',
      'worker.ts': 'export default {\n  fetch(): Response {\n    const [client, server] = Object.values(new WebSocketPair());\n    server.send("hi");\n    return new Response(null, { status: 101, webSocket: client });\n  },\n};\n',
      'broken.ts': 'export const y = (1;\n',
      'plain.ts': 'export function sum(xs: number[]): number {\n  let s = 0;\n  for (const x of xs) s += x;\n  return s;\n}\n',
    });
    const r = await sameBothWays(dir);
    expect(r.report.loops.map((l) => `${l.file}:${l.line}`)).toEqual(['escaped.ts:4']);
    expect(r.report.findings.map((f) => `${f.ruleId}:${f.file}:${f.line}`).sort()).toEqual(['HG000:suppressed.ts:1', 'HG001:escaped.ts:4', 'HG011:broken.ts:1', 'HG012:worker.ts:4']);
    expect(r.files.find((f) => f.file === 'suppressed.ts')?.suppressions).toHaveLength(1);
  }, 60_000);

  it('found by an adversarial read: a module name spelled with escapes, a keyword glued to a number', async () => {
    const dir = writeTree(path.join(tmp, 'ts-adversarial'), {
      // 'ev\ents' is 'events' (an identity escape), and so is an octal one or a line continuation:
      // the callee's name, `on`, is what lets the file through.
      'evented.ts': "import { on } from 'ev\\ents';\nimport WebSocket from 'ws';\nexport async function main() {\n  const ws = new WebSocket('wss://x');\n  for await (const [data] of on(ws, 'message')) console.log(data);\n}\n",
      'octal.js': "const { once } = require('\\145vents');\nconst WebSocket = require('ws');\nasync function main() {\n  const ws = new WebSocket('wss://x');\n  while (true) await once(ws, 'message');\n}\nmodule.exports = { main };\n",
      // `0for` is a number, then `for` (a syntax error, and a loop all the same).
      'glued.ts': 'import WebSocket from "ws";\nconst ws = new WebSocket("x");\nlet x = 0;\nx=0for(;;)ws.send(1);\n',
    });
    const r = await sameBothWays(dir);
    expect(r.report.loops.map((l) => `${l.file}:${l.line}`)).toEqual(['evented.ts:5', 'glued.ts:4', 'octal.js:5']);
  }, 60_000);

  it('lets through what can hold a use in a loop, a platform issue or a suppression, and nothing else', () => {
    expect(needsScriptAnalysis('for (const m of xs) ws.send(m)', [])).toBe(true);
    expect(needsScriptAnalysis("while (x) { for await (const [d] of on(ws, 'message')) {} }\nimport { on } from 'node:events';", [])).toBe(true);
    expect(needsScriptAnalysis('do { await writer.write(x) } while (x)', [])).toBe(true);
    expect(needsScriptAnalysis('items.forEach((i) => sock.ping())', [])).toBe(true);
    expect(needsScriptAnalysis('for (;;) await nextMessage(ws)', ['nextMessage'])).toBe(true);
    expect(needsScriptAnalysis('for (;;) await nextMessage(ws)', [])).toBe(false);
    expect(needsScriptAnalysis('ws.send(x)', [])).toBe(false);
    expect(needsScriptAnalysis('for (const x of xs) total += x', [])).toBe(false);
    expect(needsScriptAnalysis('const s = "\\u0066or"', [])).toBe(true);
    expect(needsScriptAnalysis("for (;;) for await (const m of on(ws, 'message')) {}", [])).toBe(true);
    expect(needsScriptAnalysis('x = 0for (;;) ws.send(1)', [])).toBe(true);
    expect(needsScriptAnalysis('const format = resend + pinged; before()', [])).toBe(false);
    expect(needsScriptAnalysis('const [a, b] = Object.values(new WebSocketPair())', [])).toBe(true);
    expect(needsScriptAnalysis('Deno.upgradeWebSocket(req)', [])).toBe(true);
    expect(needsScriptAnalysis('// handshake-guard: ignore[HG001] -- ok', [])).toBe(true);
  });
});
