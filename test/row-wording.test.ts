// Row details count in the singular when there is one of a thing, and name no language a scan did
// not see (a pre-commit run with nothing staged scans no file at all).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { git, gitRepo, removeAll } from './helpers/git.js';

const repos: string[] = [];
afterAll(() => removeAll(repos));

async function syntaxRow(dir: string, staged = false): Promise<unknown> {
  return (await run({ cwd: dir, paths: ['.'], ...(staged ? { staged: true } : {}) })).report.checks.find((c) => c.id === 'syntax');
}

describe('syntax row wording', () => {
  it('one parsed file is one file, in either language', async () => {
    expect(await syntaxRow(gitRepo({ 'a.py': 'def f(:\n    pass\n' }, repos))).toMatchObject({ status: 'fail', details: expect.stringMatching(/^1 syntax error in 1 parsed file: a\.py:1; /) });
    expect(await syntaxRow(gitRepo({ 'a.ts': 'export function f(a: string {\n}\n' }, repos))).toMatchObject({
      status: 'fail',
      details: expect.stringMatching(/^\d syntax errors? in 1 parsed TypeScript\/JavaScript file: a\.ts:1/),
    });
  });

  it('nothing staged: no files scanned, not "no Python files"', async () => {
    const dir = gitRepo({ 'a.py': 'x = 1\n', 'b.ts': 'export const b = 1;\n' }, repos);
    expect(await syntaxRow(dir, true)).toMatchObject({ status: 'skip', details: 'no files scanned' });
  });
});

describe('logic row wording', () => {
  it('names a guard two loops share once, not once per loop', async () => {
    // One bounded wait with no fallback before two loops on the same socket (the TS fix's one
    // block per function): both loops carry HG006 at the wait's line.
    const dir = gitRepo(
      {
        'client.ts': [
          "import WebSocket from 'ws';",
          '',
          'export async function pump(url: string, a: string[], b: string[]): Promise<void> {',
          '  const ws = new WebSocket(url);',
          '  const start = performance.now();',
          '  while (ws.readyState !== WebSocket.OPEN) {',
          '    if (performance.now() - start > 3000) break;',
          '    await new Promise((r) => setTimeout(r, 10));',
          '  }',
          '  for (const m of a) ws.send(m);',
          '  for (const m of b) ws.send(m);',
          '}',
          '',
        ].join('\n'),
      },
      repos,
    );
    const result = await run({ cwd: dir, paths: ['.'] });
    const hg006 = result.findings.filter((f) => f.ruleId === 'HG006' && !f.suppressed);
    expect(hg006.length).toBe(2); // one per loop: each loop's status rests on its own
    const logic = result.report.checks.find((c) => c.id === 'logic');
    expect(logic?.details).toContain(`HG006 no fallback on timeout at client.ts:${hg006[0]?.line};`);
    expect(logic?.details).not.toContain(`client.ts:${hg006[0]?.line}, client.ts:${hg006[0]?.line}`);
  });
});

describe('performance row', () => {
  const guarded = (timeout: string, interval: string): string =>
    [
      'import asyncio',
      'import logging',
      'import time',
      '',
      'from fastapi import WebSocket',
      'from starlette.websockets import WebSocketState',
      '',
      'logger = logging.getLogger(__name__)',
      '',
      '',
      'async def h(websocket: WebSocket):',
      '    await websocket.accept()',
      '    while True:',
      `        deadline = time.monotonic() + ${timeout}`,
      '        while websocket.application_state == WebSocketState.CONNECTING:',
      '            if time.monotonic() >= deadline:',
      '                break',
      `            await asyncio.sleep(${interval})`,
      '        if websocket.application_state != WebSocketState.CONNECTED:',
      '            logger.warning("handshake not complete")',
      '            break',
      '        await websocket.receive_text()',
      '',
    ].join('\n');

  it('a sleep longer than the bound is the worst case: the deadline is only looked at between sleeps', async () => {
    // 3 s bound, 8 s sleeps: a CONNECTING socket costs 8 s, over the 5 s budget (was "3 s", pass).
    const perf = (await run({ cwd: gitRepo({ 'app.py': guarded('3.0', '8.0') }, repos), paths: ['.'] })).report.checks.find((c) => c.id === 'performance');
    expect(perf).toMatchObject({
      status: 'fail',
      details: 'worst case 8 s (budget 5 s) over 1 guard; over budget: 8 s per message (1 poll every 8 s: 5 s past the 3 s bound), 0 s on a closed socket at app.py:15 h',
    });
  });

  it('an interval that divides the bound adds nothing: the bound is the worst case', async () => {
    const perf = (await run({ cwd: gitRepo({ 'app.py': guarded('3.0', '0.01') }, repos), paths: ['.'] })).report.checks.find((c) => c.id === 'performance');
    expect(perf).toMatchObject({ status: 'pass', details: 'worst case 3 s (budget 5 s) over 1 guard: 3 s per message (300 polls), 0 s on a closed socket at app.py:15 h' });
  });
});

describe('breaking row on files whose bytes are not their text', () => {
  it('a clean tree with a UTF-8 BOM file and a PEP 263 latin-1 file has no changed file, by contents and by blob ids', async () => {
    // The base's blobs were decoded as plain UTF-8: the BOM stayed, so the file "changed" (vite's playground/resolve/utf8-bom).
    for (const extra of [0, 70]) {
      const files: Record<string, string> = { 'main.js': '\uFEFFexport const msg = "hello";\n', 'app.py': '\uFEFFdef api(a, b=1):\n    return a\n' };
      for (let i = 0; i < extra; i++) files[`m${i}.py`] = `def f${i}(x):\n    return x\n`;
      const dir = gitRepo(files, repos);
      writeFileSync(path.join(dir, 'legacy.py'), Buffer.from('# -*- coding: latin-1 -*-\ndef caf\u00e9_name(a):\n    return "\u00e9t\u00e9"\n', 'latin1'));
      git(dir, 'add', '-A');
      git(dir, 'commit', '-q', '-m', 'latin-1');
      const breaking = (await run({ cwd: dir, paths: ['.'] })).report.checks.find((c) => c.id === 'breaking');
      expect(breaking, `${extra} extra files`).toMatchObject({ status: 'pass', details: 'no scanned file changed since HEAD' });
    }
  });
});
