// Codemod snapshots: fixtures/python/fix/<case>.py → exactly <case>.fixed.py (bytes: line endings,
// BOM, indentation kept), idempotent, and the result parses under CPython.
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { diffLines } from 'diff';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { runFix, type FixOptions } from '../src/fix/fix.js';
import { cli, tempTree } from './helpers/cli.js';
import { cpythonParses } from './helpers/python.js';

const DIR = path.resolve(__dirname, '../fixtures/python/fix');
const SEED = path.resolve(__dirname, '../fixtures/python/seed/websocket_ssot.py');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function temp(): string {
  const t = mkdtempSync(path.join(os.tmpdir(), 'hg-fix-'));
  temps.push(t);
  return t;
}

function optionsOf(text: string): Partial<FixOptions> {
  const m = /fix-options:\s*(\{.*\})/.exec(text);
  return m ? (JSON.parse(m[1] as string) as Partial<FixOptions>) : {};
}

function fixOptions(cwd: string, paths: string[], extra: Partial<FixOptions> = {}): FixOptions {
  return { cwd, paths, write: true, upgrade: false, placement: 'per-message', ...extra };
}

describe('fix snapshots', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.py') && !f.endsWith('.fixed.py')).sort()) {
    it(name, async () => {
      const tmp = temp();
      const file = path.join(tmp, name);
      copyFileSync(path.join(DIR, name), file);
      const extra = optionsOf(readFileSync(file, 'utf8'));
      const first = await runFix(fixOptions(tmp, [name], extra));
      expect(first.files.map((f) => [f.refused, f.outcomes.map((o) => o.skipped)])).toEqual([[null, first.files[0]?.outcomes.map(() => null)]]);
      expect(readFileSync(file)).toEqual(readFileSync(path.join(DIR, name.replace(/\.py$/, '.fixed.py'))));
      expect(cpythonParses(file)).toEqual({ ok: true, error: '' });
      const second = await runFix(fixOptions(tmp, [name], extra));
      expect(second.files.filter((f) => f.after !== null)).toEqual([]);
      const after = await run({ cwd: tmp, paths: [name] });
      expect(after.findings.filter((f) => ['HG001', 'HG002', 'HG003', 'HG010', 'HG011'].includes(f.ruleId))).toEqual([]);
    });
  }
});

describe('fix on the seed router', () => {
  it('guards the two check-only loops with the existing guards\' parameters, adding lines only', async () => {
    const tmp = temp();
    copyFileSync(SEED, path.join(tmp, 'ws.py'));
    const before = readFileSync(path.join(tmp, 'ws.py'), 'utf8');
    const result = await runFix(fixOptions(tmp, ['ws.py']));
    expect(result.files[0]?.outcomes.map((o) => [o.loop.function, o.action])).toEqual([
      ['WebSocketSSOTRouter._isolated_message_loop', 'insert'],
      ['WebSocketSSOTRouter._legacy_message_loop', 'insert'],
    ]);
    const after = readFileSync(path.join(tmp, 'ws.py'), 'utf8');
    expect(diffLines(before, after).filter((p) => p.removed)).toEqual([]);
    const verify = await run({ cwd: tmp, paths: ['ws.py'] });
    const row = (id: string) => verify.report.checks.find((c) => c.id === id);
    expect(row('coverage')?.status).toBe('pass');
    expect(row('consistency')?.status).toBe('pass');
    const fps = new Set(verify.report.loops.map((l) => JSON.stringify(l.guard.fingerprint)));
    expect(fps.size).toBe(1);
    expect(cpythonParses(path.join(tmp, 'ws.py')).ok).toBe(true);
  });

  it('--upgrade leaves all four loops with one fingerprint and no logic warnings', async () => {
    const tmp = temp();
    copyFileSync(SEED, path.join(tmp, 'ws.py'));
    await runFix(fixOptions(tmp, ['ws.py'], { upgrade: true }));
    const verify = await run({ cwd: tmp, paths: ['ws.py'] });
    const row = (id: string) => verify.report.checks.find((c) => c.id === id);
    expect(verify.report.loops).toHaveLength(4);
    expect(new Set(verify.report.loops.map((l) => JSON.stringify(l.guard.fingerprint))).size).toBe(1);
    expect(verify.report.loops[0]?.guard.fingerprint).toMatchObject({ clock: 'monotonic', exitsOnTerminalState: true, logsOnTimeout: true, onTimeout: 'recheck-break', timeoutSeconds: 3, intervalSeconds: 0.01 });
    expect(row('coverage')?.status).toBe('pass');
    expect(row('consistency')?.status).toBe('pass');
    expect(row('logic')?.status).toBe('pass');
    expect(cpythonParses(path.join(tmp, 'ws.py')).ok).toBe(true);
    const again = await runFix(fixOptions(tmp, ['ws.py'], { upgrade: true }));
    expect(again.files.filter((f) => f.after !== null)).toEqual([]);
  });
});

describe('what fix leaves alone, and says why', () => {
  it("--upgrade leaves a wait whose else: holds the receive (rewriting the wait would delete it)", async () => {
    const tmp = temp();
    copyFileSync(path.resolve(__dirname, '../fixtures/python/loops/wait_else_receive.py'), path.join(tmp, 'app.py'));
    const scan = await run({ cwd: tmp, paths: ['app.py'] });
    const [explicit, inElse] = scan.report.loops;
    // The else form reads as the explicit re-check does.
    expect(inElse?.guard.fingerprint).toEqual(explicit?.guard.fingerprint);
    const result = await runFix(fixOptions(tmp, ['app.py'], { upgrade: true, write: false }));
    const skipped = result.files[0]?.outcomes.filter((o) => o.skipped !== null).map((o) => [o.loop.function, o.skipped]);
    expect(skipped).toContainEqual(['receive_in_else', "the receive is in the wait's `else:` clause: rewrite the guard by hand"]);
    expect(result.files[0]?.after ?? readFileSync(path.join(tmp, 'app.py'), 'utf8')).toContain('        else:\n            await websocket.receive_text()\n            continue');
  });

  it('skips a receive in a non-async function and in a comprehension', async () => {
    const tmp = temp();
    writeFileSync(
      path.join(tmp, 'app.py'),
      [
        'from fastapi import WebSocket',
        '',
        '',
        'def drain(websocket: WebSocket):',
        '    while True:',
        '        websocket.receive_text()',
        '',
        '',
        'async def batch(websocket: WebSocket):',
        '    while True:',
        '        items = [await websocket.receive_text() for _ in range(3)]',
        '        print(items)',
        '',
      ].join('\n'),
    );
    const result = await runFix(fixOptions(tmp, ['app.py']));
    expect(result.files[0]?.outcomes.map((o) => [o.loop.function, o.skipped])).toEqual([
      ['drain', 'the receive is in a non-async function: an awaited wait cannot be added there'],
      ['batch', 'the receive is inside a list comprehension'],
    ]);
    expect(result.files[0]?.after).toBeNull();
  });

  it('skips a comprehension that is the message loop itself (no statement loop around it), and its HG001 is not fixable', async () => {
    const tmp = temp();
    writeFileSync(
      path.join(tmp, 'app.py'),
      [
        'from fastapi import WebSocket',
        '',
        '',
        'async def batch(websocket: WebSocket):',
        '    await websocket.accept()',
        '    msgs = [await websocket.receive_text() for _ in range(3)]',
        '    await websocket.send_json(msgs)',
        '',
        '',
        'async def stream(websocket: WebSocket):',
        '    await websocket.accept()',
        '    return {m async for m in websocket.iter_text()}',
        '',
      ].join('\n'),
    );
    const scanned = await run({ cwd: tmp, paths: ['app.py'] });
    expect(scanned.findings.map((f) => [f.ruleId, f.line, f.fixable])).toEqual([
      ['HG001', 6, false],
      ['HG001', 12, false],
    ]);
    const result = await runFix(fixOptions(tmp, ['app.py']));
    expect(result.files[0]?.outcomes.map((o) => [o.loop.function, o.skipped])).toEqual([
      ['batch', 'the receive is inside a list comprehension'],
      ['stream', 'the receive is inside a set comprehension'],
    ]);
    expect(result.files[0]?.after).toBeNull();
  });

  it('skips a loop whose connection only its name calls a WebSocket (no framework in the module): it may not be a Starlette one', async () => {
    const tmp = temp();
    writeFileSync(
      path.join(tmp, 'relay.py'),
      ['async def relay(websocket, queue):', '    while True:', '        await queue.put(await websocket.receive_text())', ''].join('\n'),
    );
    const result = await runFix(fixOptions(tmp, ['relay.py']));
    expect(result.files.map((f) => f.outcomes.map((o) => [o.loop.function, o.loop.framework, o.loop.confidence, o.skipped]))).toEqual([
      [['relay', 'unknown', 'low', 'nothing says websocket is a Starlette WebSocket (the module imports no WebSocket framework): annotate it (`: WebSocket`) or guard it by hand']],
    ]);
    expect(result.files[0]?.after).toBeNull();
  });

  it("skips a receive that is the loop's own exit with cleanup, and an own check that would not match the group", async () => {
    const tmp = temp();
    writeFileSync(
      path.join(tmp, 'exit.py'),
      [
        'import asyncio',
        '',
        'from fastapi import WebSocket',
        '',
        '',
        'async def still_connected(websocket: WebSocket) -> bool:',
        '    try:',
        '        await asyncio.wait_for(websocket.receive(), timeout=0.1)',
        '        return True',
        '    except asyncio.TimeoutError:',
        '        return True',
        '    except RuntimeError:',
        '        return False',
        '',
        '',
        'async def forget(worker):',
        '    print("forgot", worker)',
        '',
        '',
        'async def subscription(websocket: WebSocket, queue: asyncio.Queue, worker: str):',
        '    while True:',
        '        try:',
        '            item = await asyncio.wait_for(queue.get(), timeout=1)',
        '        except asyncio.TimeoutError:',
        '            if not await still_connected(websocket):',
        '                await forget(worker)',
        '                return',
        '            continue',
        '        await websocket.send_json(item)',
        '',
      ].join('\n'),
    );
    copyFileSync(path.join(DIR, 'return_target_before_loop.py'), path.join(tmp, 'mismatch.py'));
    const base = readFileSync(path.join(tmp, 'mismatch.py'), 'utf8').replace(/\n\n\nasync def feed_loop[\s\S]*$/, '\n');
    writeFileSync(
      path.join(tmp, 'mismatch.py'),
      base +
        [
          '',
          '',
          'async def own_check_loop(websocket: WebSocket) -> None:',
          '    while True:',
          '        if websocket.application_state != WebSocketState.CONNECTED:',
          '            break',
          '        await websocket.send_text(await websocket.receive_text())',
          '',
        ].join('\n'),
    );
    const result = await runFix(fixOptions(tmp, ['exit.py', 'mismatch.py']));
    expect(result.files.map((f) => [f.file, f.after, f.outcomes.map((o) => [o.loop.function, o.skipped])])).toEqual([
      [
        'exit.py',
        null,
        [
          [
            'subscription',
            "the receive is in the condition of the loop's own exit (line 25), which runs other code before leaving; a guard's `break` in front of it would skip that code — guard it by hand",
          ],
        ],
      ],
      [
        'mismatch.py',
        null,
        [['own_check_loop', "the loop's own check (line 36) leaves as `recheck-break` where the group's guards use `return`: a wait before it would not match them — guard it by hand"]],
      ],
    ]);
  });

  it("a loop's own `return` check with no polling guard in the file: the wait goes above it only when every guard written reads the same", async () => {
    const tmp = temp();
    const returning = ['async def returning(ws: WebSocket):', '    while True:', '        if ws.client_state != WebSocketState.CONNECTED:', '            return', '        await ws.receive_text()', ''];
    const head = ['from fastapi import WebSocket', 'from starlette.websockets import WebSocketState', '', ''];
    writeFileSync(path.join(tmp, 'mixed.py'), [...head, ...returning, '', 'async def plain(ws: WebSocket):', '    while True:', '        await ws.receive_text()', ''].join('\n'));
    const result = await runFix(fixOptions(tmp, ['mixed.py']));
    // The canonical block on `plain` reads `recheck-break`: a wait before `returning`'s check would read `return`.
    expect(result.files[0]?.outcomes.map((o) => [o.loop.function, o.skipped])).toEqual([
      ['returning', "the loop's own check (line 7) leaves as `return` where the other guards this fix writes use `recheck-break`: a wait before it would not match them — guard it by hand"],
      ['plain', null],
    ]);
    const after = await run({ cwd: tmp, paths: ['mixed.py'] });
    expect(after.findings.filter((f) => f.ruleId === 'HG002')).toEqual([]);
  });

  it("skips a loop that receives in an iterator's __anext__: the iterator's `self._ws` is no name in the loop's function", async () => {
    const tmp = temp();
    copyFileSync(path.resolve(__dirname, '../fixtures/python/HG001/async_iterator_wrapper.py'), path.join(tmp, 'stream.py'));
    const result = await runFix(fixOptions(tmp, ['stream.py']));
    // Before: a block polling `self._ws` in the module function `pump` (NameError on the first message).
    expect(result.files.map((f) => [f.file, f.after, f.outcomes.map((o) => [o.loop.function, o.skipped])])).toEqual([
      ['stream.py', null, [['pump', "the receive is in MessageStream.__anext__, on the iterator's own `self._ws`, which the loop's function cannot name — guard it by hand"]]],
    ]);
  });

  it('never puts the Starlette guard on an aiohttp connection (no application_state there)', async () => {
    const tmp = temp();
    writeFileSync(
      path.join(tmp, 'app.py'),
      [
        'from aiohttp import web',
        '',
        '',
        'class Handler:',
        '    def __init__(self) -> None:',
        '        self.wsock = web.WebSocketResponse()',
        '',
        '    async def handle(self, upgrade: bool, request: web.Request) -> None:',
        '        if upgrade:',
        '            await self.wsock.prepare(request)',
        '        while True:',
        '            msg = await self.wsock.receive()',
        '            print(msg)',
        '',
      ].join('\n'),
    );
    const result = await runFix(fixOptions(tmp, ['app.py']));
    expect(result.files[0]?.outcomes.map((o) => [o.loop.function, o.skipped])).toEqual([
      ['Handler.handle', "the guard polls Starlette's application_state, which aiohttp connections do not have"],
    ]);
    expect(result.files[0]?.after).toBeNull();
    expect(readFileSync(path.join(tmp, 'app.py'), 'utf8')).not.toContain('starlette');
  });

  it("never puts Starlette's guard on another framework's WebSocket (BlackSheep's own WebSocketState, Falcon's none)", async () => {
    const tmp = temp();
    const loop = ['    await ws.accept()', '    while True:', '        msg = await ws.receive_text()', '        await ws.send_text(msg)', ''];
    writeFileSync(path.join(tmp, 'bs.py'), ['from blacksheep.server.websocket import WebSocket', '', '', 'async def echo(ws: WebSocket):', ...loop].join('\n'));
    writeFileSync(path.join(tmp, 'falcon_typed.py'), ['import falcon.asgi', '', '', 'async def on_websocket(req, ws: falcon.asgi.WebSocket):', ...loop].join('\n'));
    writeFileSync(path.join(tmp, 'falcon_untyped.py'), ['import falcon', '', '', 'async def on_websocket(req, ws):', ...loop].join('\n'));
    const result = await runFix(fixOptions(tmp, ['.']));
    const reason = (fw: string) =>
      `ws is a ${fw} WebSocket, not Starlette's: the guard polls Starlette's application_state/client_state and WebSocketState, which it does not share — guard it by hand`;
    expect(result.files.map((f) => [f.file, f.after, f.outcomes.map((o) => [o.loop.function, o.skipped])])).toEqual([
      ['bs.py', null, [['echo', reason('blacksheep')]]],
      ['falcon_typed.py', null, [['on_websocket', reason('falcon')]]],
      ['falcon_untyped.py', null, [['on_websocket', reason('falcon')]]],
    ]);
    for (const f of ['bs.py', 'falcon_typed.py', 'falcon_untyped.py']) expect(readFileSync(path.join(tmp, f), 'utf8')).not.toContain('starlette');
    // The scan does not call them Starlette either.
    const scan = await run({ cwd: tmp, paths: ['.'] });
    expect(scan.report.loops.map((l) => [l.file, l.framework])).toEqual([
      ['bs.py', 'unknown'],
      ['falcon_typed.py', 'unknown'],
      ['falcon_untyped.py', 'unknown'],
    ]);
  });

  it('leaves a file untouched and says why when the result has a new syntax error (the re-parse before writing)', async () => {
    // The statement to guard continues a line that ends in a backslash: the helper call inserted
    // at its line start joins `count = 0;`, and a compound statement cannot follow `;`.
    const tmp = temp();
    const text = ['from fastapi import WebSocket', '', '', 'async def echo(ws: WebSocket) -> None:', '    while True:', '        count = 0; \\', '        text = await ws.receive_text()', '        await ws.send_text(text)', ''].join('\n');
    writeFileSync(path.join(tmp, 'app.py'), text);
    expect(cpythonParses(path.join(tmp, 'app.py'))).toEqual({ ok: true, error: '' });
    const result = await runFix(fixOptions(tmp, ['app.py'], { style: 'helper' }));
    expect(result.files.map((f) => [f.file, f.after, f.written])).toEqual([['app.py', null, false]]);
    expect(result.files[0]?.refused).toMatch(/^the result has a syntax error \(.+, line \d+\)$/);
    expect(readFileSync(path.join(tmp, 'app.py'), 'utf8')).toBe(text);
  });

  it('does not overwrite a file that changed on disk after it was read', async () => {
    const tmp = temp();
    copyFileSync(path.join(DIR, 'no_logger.py'), path.join(tmp, 'a.py'));
    const result = await runFix({ ...fixOptions(tmp, ['a.py']), write: false });
    const fix = result.files[0];
    expect(fix?.after).not.toBeNull();
    writeFileSync(path.join(tmp, 'a.py'), '# edited meanwhile\n');
    const { writeAtomic, ChangedOnDiskError } = await import('../src/atomic-write.js');
    expect(() => writeAtomic(path.join(tmp, 'a.py'), Buffer.from(fix?.after ?? ''), Buffer.from(fix?.before ?? ''))).toThrow(ChangedOnDiskError);
    expect(readFileSync(path.join(tmp, 'a.py'), 'utf8')).toBe('# edited meanwhile\n');
    expect(readdirSync(tmp)).toEqual(['a.py']);
  });
});

describe('fix on the command line', () => {
  it('dry run prints a diff and changes nothing; --check exits 1; --write applies', () => {
    const dir = tempTree({ 'app.py': readFileSync(path.join(DIR, 'inline_missing_imports.py'), 'utf8') });
    const original = readFileSync(path.join(dir, 'app.py'), 'utf8');
    const dry = cli(['fix', '--no-color'], dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('+            _hg_deadline = time.monotonic() + 3.0');
    expect(dry.stdout).toContain('1 loop would be fixed in 1 file.');
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toBe(original);
    expect(cli(['fix', '--check'], dir).code).toBe(1);
    const w = cli(['fix', '--write'], dir);
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('1 loop fixed in 1 file.');
    expect(cli(['fix', '--check'], dir).code).toBe(0);
    expect(cli(['verify'], dir).code).toBe(0);
  });

  it('rejects a bad --timeout with exit 2', () => {
    const dir = tempTree({ 'app.py': 'x = 1\n' });
    const r = cli(['fix', '--timeout', 'soon'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--timeout must be a positive number of seconds');
  });

  it('refuses a --timeout above the performance budget (exit 2, one line, file untouched); a raised budget allows it', () => {
    const source = readFileSync(path.join(DIR, 'no_logger.py'), 'utf8');
    const dir = tempTree({ 'app.py': source });
    const r = cli(['fix', '--write', '--timeout', '8', 'app.py'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      'handshake-guard: --timeout 8 is above the performance budget (5 s): every guard it writes would fail the Performance row; use a smaller --timeout or raise `budget` in the configuration',
    ]);
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toBe(source);
    expect(cli(['fix', '--write', '--timeout', '5', 'app.py'], dir).code).toBe(0);
    const raised = tempTree({ 'app.py': source, 'handshake-guard.config.json': '{"budget": 120}' });
    const ok = cli(['fix', '--write', '--timeout', '8', 'app.py'], raised);
    expect(ok.code).toBe(0);
    expect(readFileSync(path.join(raised, 'app.py'), 'utf8')).toContain('+ 8.0');
  });

  it('refuses --timeout/--interval that every written guard would be reported for: outside the bounds (HG008), too many polls, sleeps past the budget', () => {
    const source = readFileSync(path.join(DIR, 'no_logger.py'), 'utf8');
    const dir = tempTree({ 'app.py': source });
    const refusal = (args: string[]): string => {
      const r = cli(['fix', '--write', ...args, 'app.py'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      return r.stderr.trim();
    };
    expect(refusal(['--timeout', '0.05'])).toBe(
      'handshake-guard: --timeout 0.05 is outside the configured bounds (0.1–10 s): every guard it writes would be reported by HG008; use a value within them or change `bounds` in the configuration',
    );
    expect(refusal(['--interval', '5'])).toContain('--interval 5 is outside the configured bounds (0.001–0.5 s)');
    expect(refusal(['--timeout', '10', '--interval', '0.005'])).toContain('--timeout 10 with --interval 0.005 polls 2000 times, more than the configured 1000');
    // 17 sleeps of 0.3 s: the wait ends at 5.1 s, past the 5 s budget although the bound is 4.9 s.
    expect(refusal(['--timeout', '4.9', '--interval', '0.3'])).toContain('--timeout 4.9 is above the performance budget (5 s) (its 0.3 s sleeps end the wait at 5.1 s)');
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toBe(source);
    expect(cli(['fix', '--write', '--timeout', '4.9', '--interval', '0.1', 'app.py'], dir).code).toBe(0);
  });

  it('honours the performance options: its scan uses the result cache (--no-cache: none), --jobs and --no-prefilter change nothing but the work', () => {
    const source = readFileSync(path.join(DIR, 'no_logger.py'), 'utf8');
    const dir = tempTree({ 'app/minimal.py': source, 'app/other.py': 'x = 1\n' });
    const cacheDir = path.join(dir, '..', `${path.basename(dir)}-cache`);
    const env = { HANDSHAKE_GUARD_CACHE_DIR: cacheDir };
    const plain = cli(['fix', '--no-cache'], dir, env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('--- a/app/minimal.py\n+++ b/app/minimal.py\n'); // no trailing tab after the names
    expect(() => readdirSync(cacheDir)).toThrow();
    for (const args of [[], ['--jobs', '1'], ['--no-prefilter'], ['--verbose']]) expect(cli(['fix', ...args], dir, env).stdout).toBe(plain.stdout);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.bin')).length).toBeGreaterThan(0);
    expect(readFileSync(path.join(dir, 'app/minimal.py'), 'utf8')).toBe(source);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('refuses the report options it would otherwise ignore (--format, -o, --python, --fail-on, --strict), exit 2, file untouched; its help does not list them', () => {
    const dir = tempTree({ 'app.py': 'x = 1\n' });
    for (const args of [['--format', 'json'], ['--format', 'sarif', '-o', 'out.sarif'], ['--python', 'python3'], ['--fail-on', 'error'], ['--strict']]) {
      const r = cli(['fix', '--write', ...args], dir);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^handshake-guard: fix does not take (--format|--format, --output|--python|--fail-on|--strict): it prints a unified diff/)]);
    }
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toBe('x = 1\n');
    const help = cli(['fix', '--help'], dir).stdout;
    expect(help).toContain('--write');
    expect(help).not.toMatch(/--format|--output|--python |--fail-on|--strict/);
  });
});

describe('the fixer keeps the loop\'s own check instead of copying it', () => {
  it('adds no version-gated construct: the walrus in the check stays the only one', async () => {
    const tmp = temp();
    const source = [
      'from fastapi import WebSocket',
      'from fastapi.websockets import WebSocketState',
      '',
      '',
      'def is_ready(websocket, probe):',
      '    return probe and websocket.application_state == WebSocketState.CONNECTED',
      '',
      '',
      'async def loop(websocket: WebSocket):',
      '    while True:',
      '        if not is_ready(websocket, (probe := 1)):',
      '            break',
      '        await websocket.receive_text()',
      '',
    ].join('\n');
    writeFileSync(path.join(tmp, 'app.py'), source);
    // The wait goes above the check, which stays the fallback: at 3.7 the walrus is an error
    // once before and once after, so the result is accepted (a copied re-check was refused).
    const result = await runFix(fixOptions(tmp, ['app.py'], { pythonVersion: '3.7' }));
    expect(result.files[0]?.refused).toBeNull();
    expect(result.files[0]?.written).toBe(true);
    const after = readFileSync(path.join(tmp, 'app.py'), 'utf8');
    expect(after.match(/:=/g)).toHaveLength(1);
    expect(after).toMatch(/await asyncio\.sleep\(0\.01\)\n {8}if not is_ready\(websocket, \(probe := 1\)\):\n {12}break\n {8}await websocket\.receive_text\(\)/);
  });
});
