import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempTree } from './helpers/cli.js';

const UNGUARDED = `from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        text = await websocket.receive_text()
        await websocket.send_text(text)
`;

const GUARDED = `import asyncio
import logging
import time

from fastapi import FastAPI, WebSocket
from starlette.websockets import WebSocketState

app = FastAPI()
logger = logging.getLogger(__name__)


@app.websocket("/ws")
async def echo(websocket: WebSocket):
    await websocket.accept()
    while True:
        deadline = time.monotonic() + 3.0
        while websocket.application_state != WebSocketState.CONNECTED:
            if websocket.application_state == WebSocketState.DISCONNECTED:
                break
            if time.monotonic() >= deadline:
                break
            await asyncio.sleep(0.01)
        if websocket.application_state != WebSocketState.CONNECTED:
            logger.warning("handshake not complete after 3.0 s")
            break
        text = await websocket.receive_text()
        await websocket.send_text(text)
`;

function noStack(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m);
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const p = path.join(dir, f);
    if (statSync(p).isFile()) out.set(f, `${statSync(p).mtimeMs}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`);
  }
  return out;
}

describe('exit codes', () => {
  it('verify exits 1 when a loop is unguarded and 0 when it is guarded', () => {
    const bad = tempTree({ 'app.py': UNGUARDED });
    const good = tempTree({ 'app.py': GUARDED });
    const r1 = cli(['verify', '--no-color'], bad);
    expect(r1.code).toBe(1);
    expect(r1.stdout).toMatch(/Guard Coverage\s+FAIL/);
    expect(r1.stdout).toContain('0 of 1 loop guarded; missing: app.py:9 echo (no guard)');
    const r2 = cli(['verify', '--no-color'], good);
    expect(r2.stdout).toMatch(/Guard Coverage\s+PASS/);
    expect(r2.code).toBe(0);
  });

  it('scan is the default command and --fail-on never always exits 0', () => {
    const bad = tempTree({ 'app.py': UNGUARDED });
    const r = cli(['--no-color'], bad);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('app.py:9:5: HG001 [error]');
    expect(cli(['--fail-on', 'never'], bad).code).toBe(0);
  });

  it('verify --fail-on never exits 0 and its gate line says the failed gate is not enforced (text and markdown)', () => {
    const bad = tempTree({ 'app.py': UNGUARDED });
    const r = cli(['verify', '--no-color', '--fail-on', 'never'], bad);
    expect(r.code).toBe(0);
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('Gate: FAILED (Guard Coverage: fail), not enforced (--fail-on never)');
    const md = cli(['verify', '--format', 'markdown', '--fail-on', 'never'], bad);
    expect(md.stdout).toContain('**Gate: ❌ failed (not enforced: `--fail-on never`)**');
    expect(md.stdout).toContain('· 1 file · Python 3.10 (default)');
    // A run with no Python file names no Python target (it says nothing then).
    const ts = tempTree({ 'client.ts': "import WebSocket from 'ws';\nexport const ws = new WebSocket('wss://x');\n" });
    expect(cli(['verify', '--format', 'markdown'], ts).stdout.split('\n')[2]).toBe('**Gate: ✅ passed** · 0 loops, 0 guarded · 0 errors, 0 warnings · 1 file');
    expect(cli(['verify', '--no-color'], bad).stdout.trimEnd().split('\n').pop()).toBe('Gate: FAILED (Guard Coverage: fail)');
  });

  it('scan --strict fails on a warning, as Semgrep\'s --strict does (and --fail-on warning)', () => {
    const warnOnly = tempTree({ 'app.py': readFileSync(path.resolve(__dirname, '../fixtures/python/HG005/wall_clock_deadline.py'), 'utf8') });
    const plain = cli(['scan', '--no-color'], warnOnly);
    expect(plain.stdout).toContain('Found 1 warning');
    expect(plain.code).toBe(0);
    expect(cli(['scan', '--strict'], warnOnly).code).toBe(1);
    expect(cli(['scan', '--fail-on', 'warning'], warnOnly).code).toBe(1);
  });

  it('--cache takes no directory (a path after it is scanned, as with ESLint); --cache-dir names one', () => {
    // `--cache [dir]` took `app` as the cache directory, scanned `.` and wrote scan-*.bin into the source tree.
    const dir = tempTree({ 'app/main.py': UNGUARDED, 'other/ok.py': 'x = 1\n' });
    const cacheDir = path.join(dir, '..', `${path.basename(dir)}-cache`);
    const r = cli(['scan', '--no-color', '--cache', 'app'], dir, { HANDSHAKE_GUARD_CACHE_DIR: cacheDir });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('app/main.py:9:5: HG001 [error]');
    expect(readdirSync(path.join(dir, 'app'))).toEqual(['main.py']);
    const own = path.join(dir, '..', `${path.basename(dir)}-own`);
    expect(cli(['scan', '--cache-dir', own, 'app'], dir).code).toBe(1);
    expect(readdirSync(own).some((f) => f.endsWith('.bin'))).toBe(true);
  });

  it('a missing path exits 2 with one line and no stack', () => {
    const dir = tempTree({});
    const r = cli(['verify', 'nope'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('path not found: nope');
    noStack(r.stderr);
  });

  it('an invalid config exits 2 naming the key', () => {
    const dir = tempTree({ 'handshake-guard.config.json': '{"require": "maybe"}', 'app.py': UNGUARDED });
    const r = cli(['scan'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('"require"');
    noStack(r.stderr);
  });

  it('an unknown option or format exits 2', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    // Commander's own errors read like the tool's: one line, `handshake-guard: …`.
    const bogus = cli(['scan', '--bogus'], dir);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe("handshake-guard: unknown option '--bogus' (run with --help for usage)\n");
    expect(cli(['scan', '--require', 'foo'], dir).stderr).toBe(
      "handshake-guard: option '--require <kind>' argument 'foo' is invalid. Allowed choices are polling, check. (run with --help for usage)\n",
    );
    const r = cli(['scan', '--format', 'yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown --format "yaml"');
    expect(cli(['scan', '--format', 'sarif'], dir).code).toBe(1); // a real format now: the finding fails the scan
  });

  it('--version and --help exit 0', () => {
    const dir = tempTree({});
    expect(cli(['--version'], dir)).toMatchObject({ code: 0 });
    expect(cli(['--help'], dir).stdout).toContain('verify');
  });
});

describe('bad input is reported and the scan goes on', () => {
  it('binary, non-UTF-8, empty and unparsable files', () => {
    const dir = tempTree({
      'a_binary.py': new Uint8Array([0x00, 0x01, 0x02, 0x50, 0x4b]),
      'b_latin1.py': new Uint8Array([0x78, 0x20, 0x3d, 0x20, 0x22, 0xe9, 0x22, 0x0a]),
      'c_empty.py': '',
      'd_broken.py': 'def f(:\n    pass\n',
      'e_app.py': UNGUARDED,
    });
    const r = cli(['verify', '--format', 'json'], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { summary: { files: number; loops: number }; checks: { id: string; status: string; details: string }[]; findings: { ruleId: string; file: string }[] };
    expect(report.summary).toMatchObject({ files: 5, loops: 1 });
    const syntax = report.checks.find((c) => c.id === 'syntax');
    expect(syntax?.status).toBe('fail');
    expect(syntax?.details).toContain('d_broken.py:1');
    expect(syntax?.details).toContain('a_binary.py (binary file)');
    expect(syntax?.details).toContain('b_latin1.py (not valid UTF-8)');
    expect(report.findings.map((f) => `${f.ruleId} ${f.file}`)).toEqual(['HG011 d_broken.py', 'HG001 e_app.py']);
    noStack(r.stderr);
  });

  it('scan and verify never write to the scanned files', () => {
    const dir = tempTree({ 'app.py': UNGUARDED, 'pkg/good.py': GUARDED });
    const before = snapshot(dir);
    cli(['scan'], dir);
    cli(['verify', '--format', 'markdown'], dir);
    cli(['verify', '--format', 'json'], dir);
    expect(snapshot(dir)).toEqual(before);
  });
});

describe('output', () => {
  it('text has no escape codes without a TTY and colors with FORCE_COLOR', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    // eslint-disable-next-line no-control-regex
    expect(cli(['scan'], dir).stdout).not.toMatch(/\x1b\[/);
    // eslint-disable-next-line no-control-regex
    expect(cli(['scan'], dir, { FORCE_COLOR: '1' }).stdout).toMatch(/\x1b\[/);
    // eslint-disable-next-line no-control-regex
    expect(cli(['scan', '--no-color'], dir, { FORCE_COLOR: '1' }).stdout).not.toMatch(/\x1b\[/);
  });

  it('json follows the SPEC §9 contract', () => {
    const dir = tempTree({ 'src/app.py': GUARDED });
    const r = cli(['scan', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(Object.keys(report)).toEqual(['schemaVersion', 'tool', 'target', 'summary', 'checks', 'loops', 'findings']);
    expect(report.schemaVersion).toBe(1);
    const loops = report.loops as Record<string, unknown>[];
    expect(loops).toHaveLength(1);
    expect(loops[0]).toEqual({
      file: 'src/app.py',
      line: 15,
      endLine: 27,
      function: 'echo',
      language: 'python',
      framework: 'fastapi',
      receive: { line: 26, column: 22, call: 'websocket.receive_text' },
      guard: {
        kind: 'polling',
        line: 17,
        fingerprint: {
          timeoutSeconds: 3,
          intervalSeconds: 0.01,
          states: ['application_state'],
          clock: 'monotonic',
          sleep: 'async',
          onTimeout: 'recheck-break',
          logsOnTimeout: true,
          exitsOnTerminalState: true,
          placement: 'per-message',
        },
      },
      status: 'pass',
      confidence: 'high',
    });
    expect((report.checks as { id: string }[]).map((c) => c.id)).toEqual([
      'syntax', 'imports', 'coverage', 'consistency', 'logic', 'parameters', 'breaking', 'performance',
    ]);
  });

  it('-o writes the report to a file', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    const r = cli(['verify', '--format', 'markdown', '-o', 'report.md'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(path.join(dir, 'report.md'), 'utf8')).toContain('| Guard Coverage |');
  });

  it('under GitHub Actions verify appends the markdown table to the step summary', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    const summary = path.join(dir, 'summary.md');
    cli(['verify', 'app.py'], dir, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary });
    expect(readFileSync(summary, 'utf8')).toContain('Guard Coverage');
  });

  it('a step summary that cannot be written is a warning: the gate keeps its exit code', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    const r = cli(['verify', 'app.py'], dir, { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: path.join(dir, 'missing', 'summary.md') });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Gate: FAILED');
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^handshake-guard: warning: could not append the table to \$GITHUB_STEP_SUMMARY \(.*missing\/summary\.md\): /)]);
  });
});

describe('explain and init', () => {
  it('explain prints the four sections; an unknown rule exits 2', () => {
    const dir = tempTree({});
    const r = cli(['explain', 'HG004'], dir);
    expect(r.code).toBe(0);
    for (const h of ['## What it does', '## Why is this bad?', '## Example', '## Use instead']) expect(r.stdout).toContain(h);
    expect(cli(['explain', 'blocking-sleep'], dir).stdout).toContain('HG004');
    expect(cli(['explain'], dir).stdout).toContain('HG011');
    const bad = cli(['explain', 'HG999'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown rule "HG999"');
  });

  it('init writes a config that loads, and refuses to overwrite it', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    const r = cli(['init'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('pre-commit');
    // CI installs from the git repository at this version's tag, as the hook does: the package is
    // not on the npm registry, where `npx --yes handshake-guard@…` would run anyone's package.
    const version = (JSON.parse(readFileSync(path.resolve(__dirname, '../package.json'), 'utf8')) as { version: string }).version;
    expect(r.stdout).toContain(`npx --yes github:OWNER/handshake-guard#v${version} verify`);
    expect(readFileSync(path.resolve(__dirname, '../examples/ci/handshake-guard.yml'), 'utf8')).toContain(`npx --yes github:OWNER/handshake-guard#v${version} verify`);
    expect(r.stdout).not.toMatch(/npx --yes handshake-guard@/);
    expect(JSON.parse(readFileSync(path.join(dir, 'handshake-guard.config.json'), 'utf8'))).toMatchObject({ require: 'polling' });
    expect(cli(['scan'], dir).code).toBe(1);
    expect(cli(['init'], dir).code).toBe(2);
    expect(cli(['init', '--force'], dir).code).toBe(0);
  });

  it('init refuses to hide a configuration already in use (package.json, a parent directory) unless --force', () => {
    const dir = tempTree({ 'package.json': JSON.stringify({ name: 'x', handshakeGuard: { rules: { HG001: 'warning' } } }), 'sub/app.py': UNGUARDED });
    const r = cli(['init'], dir);
    expect([r.code, r.stdout]).toEqual([2, '']);
    expect(r.stderr.trim()).toBe(`handshake-guard: a configuration is already in use: the "handshakeGuard" key of ${path.join(dir, 'package.json')}; handshake-guard.config.json here would hide it (use --force to write it anyway)`);
    expect(existsSync(path.join(dir, 'handshake-guard.config.json'))).toBe(false);
    expect(cli(['init'], path.join(dir, 'sub')).code).toBe(2);
    expect(cli(['init', '--force'], dir).code).toBe(0);
  });
});

describe('fix is a command, not a path', () => {
  it('`fix .` runs the fixer instead of scanning a path named "fix"', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    const r = cli(['fix', '.', '--no-color'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('path not found');
    expect(r.stdout).toContain('1 loop would be fixed in 1 file.');
  });
});
