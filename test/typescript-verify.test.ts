// A mixed Python + TS/JS repository: one scan, one table covering both languages, and the JSON
// contract's shape unchanged (language, confidence per loop).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-mixed-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const PY = path.resolve(__dirname, '../fixtures/python/HG001/correct_polling_guard.py');
const TS_BAD = `import WebSocket from 'ws';\nconst ws = new WebSocket('wss://x');\nfor (const s of ['a']) ws.send(s);\n`;
const JS_OK = `const WebSocket = require('ws');\nconst ws = new WebSocket('wss://x');\nws.on('open', () => { for (const s of ['a']) ws.send(s); });\n`;

describe('verify on a mixed Python + TS/JS repository', () => {
  it('reports loops of both languages in one table', async () => {
    const dir = repo({ 'client.ts': TS_BAD, 'client.cjs': JS_OK });
    cpSync(PY, path.join(dir, 'server.py'));
    const { report } = await run({ cwd: dir, paths: ['.'] });
    expect(report.schemaVersion).toBe(1);
    const langs = report.loops.map((l) => `${l.file}:${l.language}:${l.guard.kind}:${l.confidence}`);
    expect(langs).toContain('client.ts:typescript:none:high');
    expect(langs).toContain('client.cjs:javascript:framework:low');
    expect(langs.some((l) => l.startsWith('server.py:python:polling'))).toBe(true);
    const syntax = report.checks.find((c) => c.id === 'syntax');
    expect(syntax?.status).toBe('pass');
    expect(syntax?.details).toMatch(/1 Python file parses/);
    expect(syntax?.details).toMatch(/2 TypeScript\/JavaScript files parse/);
    const coverage = report.checks.find((c) => c.id === 'coverage');
    expect(coverage?.status).toBe('fail');
    expect(coverage?.details).toContain('client.ts');
    expect(report.findings.map((f) => `${f.ruleId}:${f.file}:${f.line}`)).toContain('HG001:client.ts:3');
  });

  it('consistency: repository compares guards within a language, never a Python guard with a TS one', async () => {
    // Two Python guards that match, two TS guards that match: the two languages' guards always
    // differ (states, clock calls), which is no inconsistency.
    const TS_GUARDED = (name: string): string =>
      `import WebSocket from 'ws';\nconst log = console;\nexport async function ${name}(url: string, items: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  const start = performance.now();\n  while (ws.readyState !== ws.OPEN) {\n    if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) break;\n    if (performance.now() - start > 3000) break;\n    await new Promise((resolve) => setTimeout(resolve, 10));\n  }\n  if (ws.readyState !== ws.OPEN) {\n    log.warn('WebSocket not open within 3000 ms');\n    return;\n  }\n  for (const item of items) ws.send(item);\n}\n`;
    const dir = repo({ 'a.ts': TS_GUARDED('a'), 'b.ts': TS_GUARDED('b'), 'handshake-guard.config.json': '{"consistency": "repository"}' });
    cpSync(PY, path.join(dir, 'server.py'));
    cpSync(PY, path.join(dir, 'server2.py'));
    const { report } = await run({ cwd: dir, paths: ['.'] });
    expect(report.loops.map((l) => `${l.file}:${l.guard.kind}`).sort()).toEqual(['a.ts:polling', 'b.ts:polling', 'server.py:polling', 'server2.py:polling']);
    expect(report.findings.filter((f) => f.ruleId === 'HG002')).toEqual([]);
    const consistency = report.checks.find((c) => c.id === 'consistency');
    expect(consistency?.status).toBe('pass');
    // A real mismatch inside one language is still one.
    writeFileSync(path.join(dir, 'b.ts'), TS_GUARDED('b').replaceAll('3000', '5000'));
    const mismatched = await run({ cwd: dir, paths: ['.'] });
    expect(mismatched.report.findings.filter((f) => f.ruleId === 'HG002').map((f) => f.file)).toEqual(['b.ts']);
  });

  it('fails the syntax row on a TS syntax error (HG011)', async () => {
    const dir = repo({ 'broken.ts': `const x = (;\n`, 'ok.js': `export const y = 1;\n` });
    cpSync(PY, path.join(dir, 'server.py'));
    const { report } = await run({ cwd: dir, paths: ['.'] });
    const syntax = report.checks.find((c) => c.id === 'syntax');
    expect(syntax?.status).toBe('fail');
    expect(syntax?.details).toContain('broken.ts:1');
    expect(report.findings.filter((f) => f.ruleId === 'HG011').map((f) => f.file)).toEqual(['broken.ts']);
  });

  it('one HG011 per file: the row, the findings and the summary count the same errors', async () => {
    const dir = repo({ 'a.js': `{% extends "x.js" %}\n{% block code %}\nvar x = (;\n{% endblock %}\n`, 'b.ts': `const x = (;\nconst y = [;\n` });
    const { report } = await run({ cwd: dir, paths: ['.'] });
    const hg011 = report.findings.filter((f) => f.ruleId === 'HG011');
    expect(hg011.map((f) => `${f.file}:${f.line}`)).toEqual(['a.js:1', 'b.ts:1']);
    expect(hg011[0]?.message).toMatch(/^TS\d+: .* \(and \d+ more diagnostics after it in this file, which may follow from this one\)$/);
    expect(report.summary.errors).toBe(2);
    expect(report.checks.find((c) => c.id === 'syntax')?.details).toMatch(/^2 syntax errors in 2 parsed TypeScript\/JavaScript files: a\.js:1; b\.ts:1 /);
  });

  it('a malformed JSDoc comment is no syntax error (JSDoc is not parsed; tsc reports none either)', async () => {
    const dir = repo({
      'doc.ts': `/**\n * @param {string x\n * @returns {\n */\nexport function f(x: string): string {\n  return x;\n}\n`,
      'doc.js': `/** @type {import('ws').WebSocket */\nexport const y = 1;\n`,
      'a.d.ts': `/** @deprecated {{{ */\nexport declare const z: number;\n`,
    });
    const { report, files } = await run({ cwd: dir, paths: ['.'] });
    expect(report.checks.find((c) => c.id === 'syntax')?.status).toBe('pass');
    expect(files.map((f) => [f.file, f.syntax.length])).toEqual([
      ['a.d.ts', 0],
      ['doc.js', 0],
      ['doc.ts', 0],
    ]);
  });

  it('honours a TS suppression comment with a reason', async () => {
    const dir = repo({
      'a.ts': `import WebSocket from 'ws';\nconst ws = new WebSocket('wss://x');\n// handshake-guard: ignore[HG001] -- sent from a test harness that awaits open\nfor (const s of ['a']) ws.send(s);\n`,
    });
    const { report, findings } = await run({ cwd: dir, paths: ['.'] });
    expect(findings.filter((f) => f.ruleId === 'HG001').every((f) => f.suppressed)).toBe(true);
    expect(report.loops[0]?.status).toBe('suppressed');
  });
});

describe('loops that HG012/HG013 report (SPEC §3b) are not guarded', () => {
  it('a Cloudflare loop sending before accept(): guard none, status fail, missing from coverage; Deno ones: HG013 only', async () => {
    const dir = repo({ 'a.ts': readFileSync(path.resolve(__dirname, '../fixtures/typescript/loops/platform_failures.ts'), 'utf8') });
    const { report } = await run({ cwd: dir, paths: ['.'] });
    expect(report.loops.map((l) => `${l.line} ${l.guard.kind} ${l.status}`)).toEqual(['9 none fail', '20 framework pass', '28 none fail', '38 none fail']);
    expect(report.findings.map((f) => `${f.ruleId}:${f.line}`)).toEqual(['HG012:10', 'HG013:29', 'HG013:39']);
    const coverage = report.checks.find((c) => c.id === 'coverage');
    expect(coverage?.status).toBe('fail');
    expect(coverage?.details).toBe('1 of 4 loops guarded (1 framework-guaranteed); missing: a.ts:9 fetch (used before accept(): HG012); a.ts:28 deno (before the Deno upgrade response: HG013); a.ts:38 denoReceive (before the Deno upgrade response: HG013)');
    expect(report.summary).toMatchObject({ loops: 4, guarded: 1 });
  });

  it('with HG012 and HG013 off, their loops are not checked, not guarded', async () => {
    const dir = repo({
      'a.ts': readFileSync(path.resolve(__dirname, '../fixtures/typescript/loops/platform_failures.ts'), 'utf8'),
      'handshake-guard.config.json': '{"rules": {"HG012": "off", "HG013": "off"}}',
    });
    const { report } = await run({ cwd: dir, paths: ['.'] });
    expect(report.findings).toEqual([]);
    const coverage = report.checks.find((c) => c.id === 'coverage');
    expect(coverage?.details).toMatch(/^1 of 4 loops guarded .*3 not checked/);
  });
});

describe('Parameters and Logic rows on a guard that awaits an event', () => {
  // The guard SPEC §3b recommends for `ws`: no sleep, so no interval — not an unknown one.
  const EVENT = `import WebSocket from 'ws';\nimport { once } from 'node:events';\nexport async function pump(url: string, msgs: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  try {\n    await once(ws, 'open', { signal: AbortSignal.timeout(3000) });\n  } catch (err) {\n    console.warn('websocket did not open within 3 s', err);\n    return;\n  }\n  for (const m of msgs) ws.send(m);\n}\n`;
  const POLL = `import WebSocket from 'ws';\nexport async function poll(url: string, msgs: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  const start = performance.now();\n  while (ws.readyState !== ws.OPEN) {\n    if (ws.readyState === ws.CLOSING || ws.readyState === ws.CLOSED) break;\n    if (performance.now() - start > 3000) break;\n    await new Promise((resolve) => setTimeout(resolve, 10));\n  }\n  if (ws.readyState !== ws.OPEN) {\n    console.warn('WebSocket not open within 3000 ms');\n    return;\n  }\n  for (const m of msgs) ws.send(m);\n}\n`;

  it('an event wait alone: no interval to check, no sleep claimed (the row passes: --strict no longer fails on it)', async () => {
    const dir = repo({ 'client.ts': EVENT });
    const { report } = await run({ cwd: dir, paths: ['.'] });
    expect(report.loops.map((l) => [l.guard.kind, l.guard.fingerprint?.sleep, l.guard.fingerprint?.intervalSeconds])).toEqual([['polling', null, null]]);
    const row = (id: string) => report.checks.find((c) => c.id === id);
    expect(row('parameters')).toMatchObject({ status: 'pass', details: '1 polling guard (an event wait: no interval): timeouts 3 s within timeout 0.1–10 s, interval 0.001–0.5 s, ≤ 1000 polls' });
    expect(row('logic')).toMatchObject({ status: 'pass', details: '1 polling guard: awaits an event (no sleep), monotonic clock, fallback and log on timeout, exit on DISCONNECTED' });
  });

  it('beside a polling loop: its interval is listed, the event wait named', async () => {
    const dir = repo({ 'a.ts': EVENT, 'b.ts': POLL });
    const { report } = await run({ cwd: dir, paths: ['.'] });
    const row = (id: string) => report.checks.find((c) => c.id === id);
    expect(row('parameters')).toMatchObject({ status: 'pass', details: '2 polling guards (1 event wait: no interval): timeouts 3 s, intervals 0.01 s within timeout 0.1–10 s, interval 0.001–0.5 s, ≤ 1000 polls' });
    expect(row('logic')?.details).toBe('2 polling guards: non-blocking sleep (1 event wait: no sleep), monotonic clock, fallback and log on timeout, exit on DISCONNECTED');
  });
});

