// `handshake-guard baseline` and `verify --baseline FILE` (SPEC §4).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../src/model.js';
import { cli, tempTree } from './helpers/cli.js';
import { guarded, UNGUARDED } from './helpers/git.js';

const TWO = `${UNGUARDED}

@app.websocket("/other")
async def other(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.send_text(await websocket.receive_text())


def unrelated():
    return 1
`;

interface BaselineFile {
  version: number;
  findings: { ruleId: string; file: string; function: string; fingerprint: string; count: number }[];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

describe('baseline', () => {
  it('records the findings; verify --baseline passes until a new one appears', () => {
    const dir = tempTree({ 'app/ws.py': TWO });
    expect(cli(['verify'], dir).code).toBe(1);
    const b = cli(['baseline'], dir);
    expect(b.code).toBe(0);
    expect(b.stdout).toBe('wrote .handshake-guard-baseline.json: 2 findings in 1 file\n');
    expect(cli(['baseline', '--no-color'], dir).stdout).toBe('wrote .handshake-guard-baseline.json: 2 findings in 1 file; was 2\n'); // taken as every command takes it
    const file = readJson<BaselineFile>(path.join(dir, '.handshake-guard-baseline.json'));
    expect(file.version).toBe(1);
    expect(file.findings.map((e) => [e.ruleId, e.file, e.function, e.count])).toEqual([
      ['HG001', 'app/ws.py', 'echo', 1],
      ['HG001', 'app/ws.py', 'other', 1],
    ]);

    const ok = cli(['verify', '--baseline', '.handshake-guard-baseline.json', '--no-color'], dir);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain('2 suppressed (2 by the baseline)');
    const report = JSON.parse(cli(['verify', '--baseline', '.handshake-guard-baseline.json', '--format', 'json'], dir).stdout) as Report;
    expect(report.findings).toEqual([]);
    expect(report.loops.map((l) => l.status)).toEqual(['suppressed', 'suppressed']);

    // Lines shift and unrelated code is renamed: still the same findings.
    const shifted = `"""Module docstring."""\nimport os\n\n\n${TWO.replace('def unrelated():\n    return 1', 'def renamed():\n    return os.sep')}`;
    writeFileSync(path.join(dir, 'app/ws.py'), shifted);
    expect(cli(['verify', '--baseline', '.handshake-guard-baseline.json'], dir).code).toBe(0);

    // A new unguarded loop fails, and only it is reported.
    writeFileSync(
      path.join(dir, 'app/ws.py'),
      `${shifted}\n\n@app.websocket("/third")\nasync def third(websocket: WebSocket):\n    await websocket.accept()\n    while True:\n        await websocket.receive_text()\n`,
    );
    const fresh = cli(['verify', '--baseline', '.handshake-guard-baseline.json', '--format', 'json'], dir);
    expect(fresh.code).toBe(1);
    const freshReport = JSON.parse(fresh.stdout) as Report;
    expect(freshReport.findings.map((f) => f.message.split(' receives')[0])).toEqual(['message loop in third']);
  });

  it('syntax errors the baseline accepts: the row passes, without counting their files as parsing', () => {
    const dir = tempTree({ 'ok.py': 'y = 1\n', 'bad.py': 'x = (\n', 'bad.ts': 'const = ;\n' });
    expect(cli(['baseline'], dir).code).toBe(0);
    const r = cli(['verify', '--baseline', '.handshake-guard-baseline.json', '--format', 'json'], dir);
    expect(r.code).toBe(0);
    const row = (JSON.parse(r.stdout) as Report).checks.find((c) => c.id === 'syntax');
    expect(row).toMatchObject({
      status: 'pass',
      details:
        '1 Python file parses for target Python 3.10 from default; 1 syntax error suppressed (by the baseline) in 1 file that does not parse: bad.py:1; ' +
        "0 TypeScript/JavaScript files parse (compiler's syntactic diagnostics); 1 syntax error suppressed (by the baseline) in 1 file that does not parse: bad.ts:1",
    });
  });

  it('reports stale entries so that the file can shrink, and the paths work from another directory', () => {
    const dir = tempTree({ 'app/ws.py': TWO });
    expect(cli(['baseline'], dir).code).toBe(0);
    // Fix one loop: its entry is stale.
    writeFileSync(path.join(dir, 'app/ws.py'), guarded());
    const r = cli(['verify', '--baseline', '.handshake-guard-baseline.json'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('note: baseline .handshake-guard-baseline.json: 2 recorded findings are gone (HG001 app/ws.py echo, HG001 app/ws.py other)');
    // From a subdirectory the entries still match (paths are relative to the baseline file).
    writeFileSync(path.join(dir, 'app/ws.py'), TWO);
    const sub = path.join(dir, 'app');
    expect(cli(['verify', '--baseline', '../.handshake-guard-baseline.json', '.'], sub).code).toBe(0);
    // Re-running baseline says how many there were.
    writeFileSync(path.join(dir, 'app/ws.py'), UNGUARDED);
    expect(cli(['baseline'], dir).stdout).toBe('wrote .handshake-guard-baseline.json: 1 finding in 1 file; was 2\n');
  });

  it('two identical loops in one function are counted, not merged away', () => {
    const twice = UNGUARDED.replace(
      '        await websocket.send_text(text)\n',
      '        await websocket.send_text(text)\n    while True:\n        text = await websocket.receive_text()\n',
    );
    const dir = tempTree({ 'ws.py': twice });
    cli(['baseline', '-o', 'base.json'], dir);
    const file = readJson<BaselineFile>(path.join(dir, 'base.json'));
    expect(file.findings.map((e) => e.count)).toEqual([2]);
    expect(cli(['verify', '--baseline', 'base.json'], dir).code).toBe(0);
  });

  it('a missing or malformed baseline is a usage error naming it', () => {
    const dir = tempTree({ 'ws.py': UNGUARDED });
    const missing = cli(['verify', '--baseline', 'nope.json'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--baseline nope.json: no such file');
    mkdirSync(path.join(dir, 'b'));
    writeFileSync(path.join(dir, 'b/bad.json'), '{"version": 1, "tool": {"name": "x", "version": "1"}, "findings": [{"ruleId": "HG999"}]}');
    const bad = cli(['verify', '--baseline', 'b/bad.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('--baseline b/bad.json:');
  });
});
