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

  it('honours the performance options: its scan uses the result cache (--no-cache: none), --jobs and --no-prefilter change nothing but the work', () => {
    const source = readFileSync(path.join(DIR, 'no_logger.py'), 'utf8');
    const dir = tempTree({ 'app/minimal.py': source, 'app/other.py': 'x = 1\n' });
    const cacheDir = path.join(dir, '..', `${path.basename(dir)}-cache`);
    const env = { HANDSHAKE_GUARD_CACHE_DIR: cacheDir };
    const plain = cli(['fix', '--no-cache'], dir, env);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('+++ b/app/minimal.py');
    expect(() => readdirSync(cacheDir)).toThrow();
    for (const args of [[], ['--jobs', '1'], ['--no-prefilter'], ['--verbose']]) expect(cli(['fix', ...args], dir, env).stdout).toBe(plain.stdout);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.bin')).length).toBeGreaterThan(0);
    expect(readFileSync(path.join(dir, 'app/minimal.py'), 'utf8')).toBe(source);
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('refuses the report options it would otherwise ignore (--format, -o, --python), exit 2, file untouched', () => {
    const dir = tempTree({ 'app.py': 'x = 1\n' });
    for (const args of [['--format', 'json'], ['--format', 'sarif', '-o', 'out.sarif'], ['--python', 'python3']]) {
      const r = cli(['fix', '--write', ...args], dir);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^handshake-guard: fix does not take (--format|--format, --output|--python): it prints a unified diff/)]);
    }
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toBe('x = 1\n');
  });
});

describe('the fixer refuses results with a new syntax error for the target version', () => {
  it('leaves the file untouched when the copied re-check would add a version-gated construct', async () => {
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
    // At 3.7 the walrus is already an error once; the guard's re-check would copy it a second time.
    const result = await runFix(fixOptions(tmp, ['app.py'], { pythonVersion: '3.7' }));
    expect(result.files[0]?.refused).toMatch(/^the result has a syntax error/);
    expect(readFileSync(path.join(tmp, 'app.py'), 'utf8')).toBe(source);
    // At 3.8 the same fix is accepted.
    const ok = await runFix(fixOptions(tmp, ['app.py'], { pythonVersion: '3.8' }));
    expect(ok.files[0]?.refused).toBeNull();
    expect(ok.files[0]?.written).toBe(true);
  });
});
