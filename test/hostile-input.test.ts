// Hostile and odd input (issue #7, item 1): every bad file is reported once with a reason, the
// scan goes on, good files with odd encodings, line endings or names are analysed, and the exit
// code stays 0/1/2. Real files on disk, the real binary where the output matters.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSource } from '../src/engine/read.js';
import { run, type RunResult } from '../src/engine/run.js';
import { MAX_NESTING_DEPTH } from '../src/languages/nesting.js';
import { BIN, cli } from './helpers/cli.js';
import { gitRepo, removeAll } from './helpers/git.js';
import { cliAsNobody, isRoot } from './helpers/as-nobody.js';

const LOOP = 'import asyncio\n\nasync def pump(websocket):\n    while True:\n        await websocket.receive_text()\n';
const N = 20_000;
const DEEP: Record<string, string> = {
  'deep_parens.py': `x = ${'('.repeat(N)}1${')'.repeat(N)}\n`,
  'deep_sum_calls.py': `x = ${Array(N).fill('g(1)').join(' + ')}\n`,
  'deep_calls.py': `async def f(websocket):\n    while True:\n        x = ${'g('.repeat(N)}1${')'.repeat(N)}\n        await websocket.receive_text()\n`,
  'deep_chain.py': `async def f(websocket):\n    while True:\n        x = websocket${'.a()'.repeat(N)}\n        await websocket.receive_text()\n`,
  'deep_not.py': `async def f(websocket):\n    while True:\n        if ${'not '.repeat(N)}websocket.client_state:\n            break\n        await websocket.receive_text()\n`,
  'deep_blocks.py': `${Array.from({ length: 1500 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('')}${' '.repeat(1500)}pass\n`,
};
// The same for TS/JS: the compiler's parser recurses per level (parens, blocks, `if`, arrows,
// ternaries) and its left-deep chains (`a + a + …`, `ws.a().a()…`) are deep trees too. One level
// a line: on one line they would be minified bundles, not analysed at all (skipped.ts).
const DEEP_SCRIPTS: Record<string, string> = {
  'deep_parens.ts': `const x = ${'(\n'.repeat(N)}1${')'.repeat(N)};\n`,
  'deep_sum.ts': `const x = ${Array(N).fill('1').join(' +\n')};\n`,
  'deep_calls.ts': `export async function f(ws: WebSocket) {\n  while (true) {\n    const x = ${'g(\n'.repeat(N)}1${')'.repeat(N)};\n    ws.send('x');\n  }\n}\n`,
  'deep_chain.js': `const ws = new WebSocket('wss://x');\nwhile (true) { ws${'\n.a()'.repeat(N)}; ws.send('x'); }\n`,
  'deep_not.ts': `export async function f(ws: WebSocket) {\n  while (true) {\n    if (${'!\n'.repeat(N)}ws.readyState) break;\n    ws.send('x');\n  }\n}\n`,
  'deep_blocks.mjs': `${'{\n'.repeat(N)}${'}'.repeat(N)}\n`,
  'deep_ifs.cjs': `${'if (x)\n'.repeat(N)}x();\n`,
  'deep_arrows.tsx': `const f = ${'() =>\n'.repeat(N)}1;\n`,
  'deep_ternary.jsx': `const x = ${'a ? b :\n'.repeat(N)}c;\n`,
};
// Flat chains (one operator, plain terms: generated SQL/HTML) are one level, as CPython reads them:
// analysed, their loops found (nesting.ts, nodes.ts deeperThan); every walk goes down them without recursion.
const FLAT: Record<string, string> = {
  'flat_strings.py': `async def f(websocket):\n    while True:\n        x = ${Array.from({ length: N }, (_, i) => `"c${i}, "`).join(' + ')}\n        await websocket.receive_text()\n`,
  'flat_numbers.py': `T = ${Array(N).fill('0.0001').join(' + ')}\n\nasync def f(websocket):\n    while True:\n        y = websocket.a + websocket.b - ${Array(N).fill('k').join(' - ')}\n        await websocket.receive_text()\n`,
};
// Loops whose deadline is a long, deep expression: constant folding and bounds must not recurse.
const DEEP_GUARD =
  'import asyncio, time\nfrom starlette.websockets import WebSocketState\n\nT = ' +
  Array(400).fill('(0.01)').join(' + ') +
  '\n\nasync def f(websocket):\n    while True:\n        start = time.monotonic()\n' +
  '        while websocket.application_state != WebSocketState.CONNECTED and time.monotonic() - start < T:\n' +
  '            await asyncio.sleep(0.01)\n        await websocket.receive_text()\n';

const UNCLOSED = `x = ${'['.repeat(N)}\n`;

const NAMES = ['with space.py', 'ünïcødé.py', 'a,b.py', 'a:b.py', 'new\nline.py', 'esc\u001b[31mred.py', 'bidi\u202egnp.py'];

let root: string;
let outside: string;
let result: RunResult;
beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'hg-hostile-'));
  outside = mkdtempSync(path.join(os.tmpdir(), 'hg-outside-'));
  chmodSync(root, 0o755);
  const put = (name: string, data: string | Uint8Array) => writeFileSync(path.join(root, name), data);
  writeFileSync(path.join(outside, 'elsewhere.py'), LOOP);
  mkdirSync(path.join(outside, 'pkg'));
  writeFileSync(path.join(outside, 'pkg', 'inner.py'), LOOP);
  put('binary.py', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x02, 0x00, 0xff]));
  put('binary.ts', Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]));
  put('invalid_utf8.py', Buffer.concat([Buffer.from('x = "'), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('"\n')]));
  put('bom.py', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(LOOP)]));
  put('utf16le.py', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(LOOP, 'utf16le')]));
  put('utf16be.py', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(LOOP, 'utf16le').swap16()]));
  put('crlf.py', LOOP.replace(/\n/g, '\r\n'));
  put('mixed.py', 'import asyncio\r\nasync def pump(websocket):\n    while True:\r        await websocket.receive_text()\r\n');
  put('empty.py', '');
  put('big.py', `${Array.from({ length: 100_000 }, (_, i) => `x${i} = ${i}`).join('\n')}\n${LOOP}`);
  for (const [name, text] of Object.entries(DEEP)) put(name, text);
  for (const [name, text] of Object.entries(FLAT)) put(name, text);
  for (const [name, text] of Object.entries(DEEP_SCRIPTS)) put(name, text);
  put('shallow.ts', "import WebSocket from 'ws';\nconst ws = new WebSocket('wss://x');\nfor (const m of ['a']) ws.send(m);\n");
  put('deep_guard.py', DEEP_GUARD);
  put('deep_unclosed.py', UNCLOSED);
  for (const name of NAMES) put(name, LOOP);
  put('unreadable.py', LOOP);
  chmodSync(path.join(root, 'unreadable.py'), 0);
  symlinkSync('.', path.join(root, 'self_loop'));
  symlinkSync('ping.py', path.join(root, 'pong.py'));
  symlinkSync('pong.py', path.join(root, 'ping.py'));
  symlinkSync(path.join(outside, 'elsewhere.py'), path.join(root, 'escape.py'));
  symlinkSync(path.join(outside, 'pkg'), path.join(root, 'escape_dir'));
  symlinkSync('crlf.py', path.join(root, 'inside_link.py'));
  result = await run({ cwd: root, paths: ['.'] });
}, 120_000);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

/** The notes that name a file (by its exact relative path). */
function notesOf(file: string): string[] {
  return result.notes.filter((n) => n.startsWith(`${file}:`) || n.includes(` ${file}:`) || n.endsWith(` ${file}`));
}

function skipped(file: string): string | null | undefined {
  return result.files.find((f) => f.file === file)?.skipped;
}

describe('hostile input: every bad file reported once with a reason, the scan goes on', () => {
  it.each([
    ['binary.py', 'binary file'],
    ['binary.ts', 'binary file'],
    ['invalid_utf8.py', 'not valid UTF-8'],
    ['utf16le.py', 'UTF-16'],
    ['utf16be.py', 'UTF-16'],
  ])('%s is not read: %s', (file, reason) => {
    expect(skipped(file)).toContain(reason);
    expect(notesOf(file)).toEqual([`${file}: not read: ${skipped(file)}`]);
  });

  it('a file nested 20,000 levels deep is refused at the nesting limit, not by a stack overflow', () => {
    for (const file of Object.keys(DEEP)) {
      expect(skipped(file), file).toBe(`nesting deeper than ${MAX_NESTING_DEPTH} levels: not analysed`);
      expect(notesOf(file), file).toHaveLength(1);
    }
    expect(result.notes.join('\n')).not.toMatch(/call stack|analysis failed/);
    // 20,000 unclosed brackets: tree-sitter's recovery keeps the tree flat; a syntax error, no crash.
    expect(skipped('deep_unclosed.py')).toBeNull();
    expect(result.files.find((f) => f.file === 'deep_unclosed.py')?.syntax.length).toBeGreaterThan(0);
  });

  it('a flat chain of 20,000 plain terms is no nesting: the file is analysed and its loop found', () => {
    for (const file of Object.keys(FLAT)) {
      expect(skipped(file), file).toBeNull();
      expect(notesOf(file), file).toEqual([]);
      expect(result.loops.filter((l) => l.file === file).map((l) => [l.span.start.line, l.guard.kind]), file).toEqual([[file === 'flat_strings.py' ? 2 : 4, 'none']]);
    }
  });

  it('a TS/JS file nested 20,000 levels deep gets the same nesting-limit note, never a crash', () => {
    for (const file of Object.keys(DEEP_SCRIPTS)) {
      expect(skipped(file), file).toBe(`nesting deeper than ${MAX_NESTING_DEPTH} levels: not analysed`);
      expect(notesOf(file), file).toEqual([`${file}: nesting deeper than ${MAX_NESTING_DEPTH} levels: not analysed`]);
    }
    expect(result.notes.join('\n')).not.toMatch(/call stack|analysis failed/);
    // The scan went on: an ordinary TS file beside them is analysed.
    expect(skipped('shallow.ts')).toBeNull();
    expect(result.loops.filter((l) => l.file === 'shallow.ts')).toHaveLength(1);
  });

  it('a deep but legal constant expression in a guard is evaluated without recursion trouble', () => {
    expect(skipped('deep_guard.py')).toBeNull();
    const loop = result.loops.find((l) => l.file === 'deep_guard.py');
    expect(loop?.guard.kind).toBe('polling');
    expect(loop?.guard.fingerprint?.timeoutSeconds).toBeCloseTo(4);
  });

  it('BOM, CRLF, mixed line endings, an empty file and a 100,000-line file are analysed', () => {
    for (const file of ['bom.py', 'crlf.py', 'mixed.py', 'empty.py', 'big.py']) expect(skipped(file), file).toBeNull();
    const lines = (file: string) => result.loops.filter((l) => l.file === file).map((l) => [l.span.start.line, l.receive.span.start.line]);
    expect(lines('bom.py')).toEqual([[4, 5]]);
    expect(lines('crlf.py')).toEqual([[4, 5]]);
    expect(lines('mixed.py')).toEqual([[3, 4]]);
    expect(lines('big.py')).toEqual([[100_004, 100_005]]);
    expect(result.files.find((f) => f.file === 'empty.py')?.syntax).toEqual([]);
  });

  it('file names with spaces, unicode, commas, colons, newlines and control characters are analysed', () => {
    for (const name of NAMES) expect(result.loops.filter((l) => l.file === name), JSON.stringify(name)).toHaveLength(1);
  });

  it('symlink loops are noted, not followed; symlinks out of the repository are not followed out', () => {
    expect(result.notes).toContain('skipped symlinked directory self_loop');
    expect(result.notes).toContain('skipped symlink ping.py: a loop of symlinks');
    expect(result.notes).toContain('skipped symlink pong.py: a loop of symlinks');
    expect(result.notes).toContain('skipped symlink escape.py: it points outside the repository');
    expect(result.notes).toContain('skipped symlinked directory escape_dir');
    const files = result.files.map((f) => f.file);
    expect(files).not.toContain('escape.py');
    expect(files.some((f) => f.startsWith('escape_dir/') || f.startsWith('self_loop/'))).toBe(false);
    // A link that stays inside is the same file as its target: analysed once, under the real name.
    expect(files).toContain('crlf.py');
    expect(files).not.toContain('inside_link.py');
  });

  it('no file is reported twice', () => {
    const named = result.notes.map((n) => n.replace(/^skipped symlink(ed directory)? /, '').split(/: /)[0]);
    expect(new Set(named).size).toBe(named.length);
  });
});

describe('hostile input through the CLI', () => {
  // root can read a file whose mode is 000: the unreadable case runs as nobody then.
  const asOther = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

  it('an unreadable file is reported as permission denied; exit codes stay 0/1', () => {
    // Where the checkout itself is out of nobody's reach (a 0700 clone directory), the CLI cannot
    // start as nobody: check the reading layer as nobody instead, from a world-readable copy.
    if (asOther.uid !== undefined && spawnSync(process.execPath, [BIN, '--version'], { ...asOther, cwd: os.tmpdir() }).status !== 0) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-nobody-'));
      try {
        chmodSync(dir, 0o755);
        // read.js and the modules it imports, laid out as in dist/src.
        mkdirSync(path.join(dir, 'engine'));
        mkdirSync(path.join(dir, 'config'));
        chmodSync(path.join(dir, 'engine'), 0o755);
        chmodSync(path.join(dir, 'config'), 0o755);
        for (const rel of ['engine/read.js', 'engine/stamp.js', 'config/types.js', 'text-file.js']) copyFileSync(path.resolve(__dirname, '../dist/src', rel), path.join(dir, rel));
        writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
        writeFileSync(path.join(dir, 'secret.py'), 'x = 1\n');
        chmodSync(path.join(dir, 'secret.py'), 0o000);
        const probe = spawnSync(process.execPath, ['--input-type=module', '-e', "import('./engine/read.js').then((m) => console.log(JSON.stringify(m.readSource('secret.py'))))"], { ...asOther, cwd: dir, encoding: 'utf8' });
        expect(JSON.parse(probe.stdout)).toEqual({ ok: false, reason: 'permission denied' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      return;
    }
    const r = spawnSync(process.execPath, [BIN, 'scan', '--format', 'json', '.'], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
      ...asOther,
    });
    expect(r.status).toBe(1); // the loops have no guard
    expect(r.stderr).toContain('note: unreadable.py: not read: permission denied');
    expect(r.stderr.match(/unreadable\.py/g)).toHaveLength(1);
    const report = JSON.parse(r.stdout) as { summary: { files: number } };
    expect(report.summary.files).toBeGreaterThan(20);
  }, 60_000);

  it('text output and notes show control characters in file names escaped', () => {
    const r = cli(['scan', '.'], root);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('esc\\x1b[31mred.py');
    expect(r.stdout).toContain('new\\nline.py');
    expect(r.stdout).toContain('bidi\\u202egnp.py');
    expect(r.stdout + r.stderr).not.toMatch(/[\u001b\u202e]/);
    const clean = cli(['scan', 'crlf.py', 'empty.py'], root);
    expect([clean.code, clean.stderr]).toEqual([1, '']);
    expect(cli(['scan', 'empty.py'], root).code).toBe(0);
    expect(cli(['scan', '--format', 'nope', '.'], root).code).toBe(2);
  }, 60_000);
});

describe('reading', () => {
  it('a FIFO is refused at once, not waited on (the read is non-blocking and checks the file type)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-fifo-'));
    try {
      const fifo = path.join(dir, 'pipe.py');
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      expect(readSource(fifo)).toEqual({ ok: false, reason: 'not a regular file' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 10_000);

  it('a FIFO named .gitignore above the scanned directory, or as .git/info/exclude, is passed over', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-fifo-ignore-'));
    try {
      expect(spawnSync('git', ['init', '-q', dir]).status).toBe(0);
      mkdirSync(path.join(dir, 'sub'));
      writeFileSync(path.join(dir, 'sub', 'app.py'), LOOP);
      rmSync(path.join(dir, '.git', 'info', 'exclude'), { force: true });
      for (const fifo of ['.gitignore', '.git/info/exclude']) expect(spawnSync('mkfifo', [path.join(dir, fifo)]).status).toBe(0);
      // A blocking read would never return: the spawn's timeout turns that into a failure.
      const r = spawnSync(process.execPath, [BIN, 'scan', '--no-cache', '--format', 'json', '.'], { cwd: path.join(dir, 'sub'), encoding: 'utf8', timeout: 20_000 });
      expect([r.status, r.signal]).toEqual([1, null]);
      expect(JSON.parse(r.stdout).loops).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a FIFO named with --baseline is a usage error at once, not waited on', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-fifo-baseline-'));
    try {
      writeFileSync(path.join(dir, 'app.py'), LOOP);
      expect(spawnSync('mkfifo', [path.join(dir, 'baseline.json')]).status).toBe(0);
      const r = spawnSync(process.execPath, [BIN, 'verify', '--baseline', 'baseline.json', 'app.py'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect([r.status, r.signal, r.stderr.trim().split('\n')]).toEqual([2, null, ['handshake-guard: --baseline baseline.json: not a regular file']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('a FIFO where a config file is looked for is passed over; named with --config it is a usage error', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-fifo-'));
    try {
      writeFileSync(path.join(dir, 'app.py'), LOOP);
      // No provenance places `conn.ws`: the analysis asks the type checker, so the tsconfig.json is read.
      writeFileSync(path.join(dir, 'client.ts'), "import WebSocket from 'ws';\nexport async function f(items: string[], conn: { ws: WebSocket }): Promise<void> {\n  for (const i of items) conn.ws.send(i);\n}\n");
      // Every file a run looks for by name: the config (3 names), the target version's sources, tsconfig.json.
      for (const name of ['package.json', 'pyproject.toml', 'handshake-guard.config.json', '.python-version', 'runtime.txt', 'Dockerfile', 'tsconfig.json']) {
        expect(spawnSync('mkfifo', [path.join(dir, name)]).status).toBe(0);
      }
      // A blocking read would never return: the spawn's timeout turns that into a failure.
      const found = spawnSync(process.execPath, [BIN, 'scan', '--no-cache', '--format', 'json', 'app.py', 'client.ts'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect([found.status, found.signal]).toEqual([1, null]);
      expect(JSON.parse(found.stdout).loops).toHaveLength(2);
      expect(found.stderr).toMatch(/tsconfig\.json: not used/);
      const named = spawnSync(process.execPath, [BIN, 'scan', '--config', 'package.json', 'app.py'], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
      expect([named.status, named.signal, named.stderr.trim().split('\n')]).toEqual([2, null, [expect.stringMatching(/cannot read config .*package\.json: not a regular file$/)]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('size limit (maxFileBytes)', () => {
  it('skips a file over the default 2 MiB, or over the configured limit, with a note', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-size-'));
    try {
      const big = `${LOOP}${'#'.repeat(2 * 1024 * 1024)}\n`;
      writeFileSync(path.join(dir, 'huge.py'), big);
      writeFileSync(path.join(dir, 'small.py'), `${LOOP}${'#'.repeat(2000)}\n`);
      const byDefault = await run({ cwd: dir, paths: ['.'] });
      expect(byDefault.notes).toEqual([`huge.py: not read: larger than 2 MiB (maxFileBytes): ${Buffer.byteLength(big)} bytes`]);
      expect(byDefault.loops.map((l) => l.file)).toEqual(['small.py']);
      writeFileSync(path.join(dir, 'handshake-guard.config.json'), JSON.stringify({ maxFileBytes: 1000 }));
      const limited = await run({ cwd: dir, paths: ['.'] });
      expect(limited.notes).toEqual([
        `huge.py: not read: larger than 1000 bytes (maxFileBytes): ${Buffer.byteLength(big)} bytes`,
        `small.py: not read: larger than 1000 bytes (maxFileBytes): ${LOOP.length + 2001} bytes`,
      ]);
      expect(limited.loops).toEqual([]);
      writeFileSync(path.join(dir, 'handshake-guard.config.json'), JSON.stringify({ maxFileBytes: 4 * 1024 * 1024 }));
      expect((await run({ cwd: dir, paths: ['.'] })).loops.map((l) => l.file)).toEqual(['huge.py', 'small.py']);
      writeFileSync(path.join(dir, 'handshake-guard.config.json'), JSON.stringify({ maxFileBytes: -1 }));
      const bad = cli(['scan', '.'], dir);
      expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('"maxFileBytes" must be a positive number')]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('diff-aware runs do not follow symlinks out of the repository either', () => {
  it('--base: a changed file that links outside is noted and not read', () => {
    const dirs: string[] = [];
    const secretDir = mkdtempSync(path.join(os.tmpdir(), 'hg-secret-'));
    dirs.push(secretDir);
    writeFileSync(path.join(secretDir, 'secret.py'), 'TOKEN = (  # runner secret\n');
    const repo = gitRepo({ 'app.py': 'x = 1\n' }, dirs);
    try {
      symlinkSync(path.join(secretDir, 'secret.py'), path.join(repo, 'leak.py'));
      symlinkSync('app.py', path.join(repo, 'alias.py'));
      const r = cli(['verify', '--base', 'HEAD', '.'], repo);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('note: skipped symlink leak.py: it points outside the repository');
      expect(r.stdout + r.stderr).not.toContain('runner secret');
      expect(r.stdout).toContain('Syntax Validation         PASS');
    } finally {
      removeAll(dirs);
    }
  }, 60_000);
});

describe('minified bundles (issue #8: a minified-file skip with a note)', () => {
  // A client loop that sends unguarded: HG001 wherever it is analysed.
  const CLIENT = "import WebSocket from 'ws';\nexport async function pump(url, msgs) { const ws = new WebSocket(url); for (const m of msgs) ws.send(m); }\n";

  it('a bundle whose lines average over 500 characters is not analysed: a note, and the syntax row says so without warning', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-min-'));
    try {
      // One line of 12,000 characters, the loop in it: what a bundler writes.
      const bundle = `${CLIENT.replace(/\n/g, ';')}${'var a=1;'.repeat(1500)}\n`;
      writeFileSync(path.join(dir, 'app.min.js'), bundle);
      // Source with one long line (inline data) among short ones is still source.
      writeFileSync(path.join(dir, 'client.mjs'), `${CLIENT}export const data = "${'x'.repeat(20_000)}";\n${'// note\n'.repeat(60)}`);
      const r = await run({ cwd: dir, paths: ['.'] });
      expect(r.loops.map((l) => l.file)).toEqual(['client.mjs']);
      expect(r.notes).toEqual([`app.min.js: minified (lines of ${Math.round(bundle.length / 2).toLocaleString('en-US')} characters on average): a generated bundle, not analysed`]);
      expect(r.report.checks.find((c) => c.id === 'syntax')).toMatchObject({
        status: 'pass',
        details: "1 TypeScript/JavaScript file parses (compiler's syntactic diagnostics); 1 minified bundle not checked: app.min.js",
      });
      // Judged by the text, not the prefilter: the same with it off.
      expect((await run({ cwd: dir, paths: ['.'], prefilter: false })).loops.map((l) => l.file)).toEqual(['client.mjs']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('paths named on the command line that cannot be read', () => {
  // As root every file is readable: the CLI runs as nobody there (CI's container runs as root).
  const root = isRoot;

  it('a named source file or directory this user may not read: one line, exit 2 (it would pass the gate unread); walked ones are notes', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-unreadable-'));
    try {
      chmodSync(dir, 0o755);
      writeFileSync(path.join(dir, 'secret.py'), LOOP);
      chmodSync(path.join(dir, 'secret.py'), 0o000);
      mkdirSync(path.join(dir, 'sub'));
      chmodSync(path.join(dir, 'sub'), 0o700);
      if (!root) chmodSync(path.join(dir, 'sub'), 0o000);
      writeFileSync(path.join(dir, 'notes.txt'), 'x');
      chmodSync(path.join(dir, 'notes.txt'), 0o000);
      const as = (args: string[]): { code: number; stderr: string } => {
        const r = cliAsNobody([...args, '--no-cache'], dir);
        return { code: r.status ?? -1, stderr: r.stderr };
      };
      expect(as(['verify', 'secret.py'])).toEqual({ code: 2, stderr: 'handshake-guard: cannot read secret.py: permission denied\n' });
      expect(as(['verify', 'sub'])).toEqual({ code: 2, stderr: 'handshake-guard: cannot read sub: permission denied\n' });
      // A file of no scanned language is passed over, as pre-commit names every kind of file.
      expect(as(['scan', 'notes.txt']).code).toBe(0);
      const walked = as(['scan', '.']);
      expect(walked.code).toBe(0);
      expect(walked.stderr).toBe('note: cannot read directory sub: permission denied\nnote: secret.py: not read: permission denied\n');
    } finally {
      chmodSync(dir, 0o755);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
