// The TS/JS codemod's options and refusals: --timeout/--interval, --upgrade next to helpers and
// groups it cannot follow, top-level loops where `await` is not allowed, statements it will not
// wrap. Each case states the exact outcome (the snapshots in typescript-fix.test.ts show results).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFix, type FixOptions } from '../src/fix/fix.js';

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

async function fix(files: Record<string, string>, opts: Partial<FixOptions> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-opt-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  const paths = Object.keys(files).filter((f) => !f.endsWith('.json'));
  const result = await runFix({ cwd: dir, paths, write: false, upgrade: false, ...opts });
  const outcomes = result.files.flatMap((f) => f.outcomes.map((o) => `${o.loop.function}: ${o.skipped ?? o.action}`));
  return { result, outcomes, after: result.files[0]?.after ?? null, refused: result.files.map((f) => f.refused) };
}

const RETURN_GUARD = (ms: number) => `  const t0 = performance.now();
  while (ws.readyState !== WebSocket.OPEN) {
    if (ws.readyState >= WebSocket.CLOSING) return;
    if (performance.now() - t0 > ${ms}) {
      console.warn('not open');
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
`;

const grouped = (ms: number): string => `import WebSocket from 'ws';

export async function a(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
${RETURN_GUARD(ms)}  for (const item of items) ws.send(item);
}

export async function b(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  for (const item of items) ws.send(item);
}
`;

describe('TS fix: --timeout / --interval', () => {
  it('set the inserted guard when the group has none', async () => {
    const src = `import WebSocket from 'ws';\n\nexport async function b(url: string, items: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  for (const item of items) ws.send(item);\n}\n`;
    const { after, outcomes } = await fix({ 'a.ts': src }, { timeout: 1.5, interval: 0.02 });
    expect(outcomes).toEqual(['b: insert']);
    expect(after).toContain('performance.now() - wsOpenWaitStart > 1500) break;');
    expect(after).toContain('setTimeout(resolve, 20)');
  }, 60_000);

  it('without them the inserted guard follows the group (5 s, return on timeout)', async () => {
    const { after, outcomes } = await fix({ 'a.ts': grouped(5000) });
    expect(outcomes).toEqual(['b: insert']);
    expect(after).toContain("performance.now() - wsOpenWaitStart > 5000) {\n      console.warn('WebSocket not open within 5000 ms');\n      return;");
  }, 60_000);

  it('with --upgrade they set every guard of the group', async () => {
    const { after, outcomes } = await fix({ 'a.ts': grouped(5000) }, { upgrade: true, timeout: 1.5 });
    expect(outcomes).toEqual(['a: upgrade', 'b: insert']);
    expect(after?.match(/> 1500\) break;/g)).toHaveLength(2);
    expect(after).not.toContain('5000');
  }, 60_000);

  it('a value that differs from the group without --upgrade is refused (the result would fail HG002)', async () => {
    const { refused } = await fix({ 'a.ts': grouped(5000) }, { timeout: 1.5 });
    expect(refused).toEqual([expect.stringMatching(/^b still fails after the fix: HG002 polling guard differs from a .*timeoutSeconds: 5 .*, 1.5 /)]);
  }, 60_000);
});

describe('TS fix --style helper', () => {
  it('a group whose guards return on timeout without a re-check: skipped with the reason (the helper re-checks)', async () => {
    const { outcomes, after } = await fix({ 'a.ts': grouped(5000) }, { style: 'helper' });
    expect(outcomes).toEqual([
      "b: the group's guards return on timeout without a re-check, which the helper style (a wait, then the re-check) cannot follow; use --style inline, or fix --upgrade",
    ]);
    expect(after).toBeNull();
  }, 60_000);

  it('with --upgrade the group is rewritten to calls of one helper, which takes the bound', async () => {
    const { after, outcomes } = await fix({ 'a.ts': grouped(5000) }, { style: 'helper', upgrade: true, timeout: 1.5 });
    expect(outcomes).toEqual(['a: upgrade', 'b: insert']);
    expect(after?.match(/^async function waitForOpen\(/gm)).toHaveLength(1);
    expect(after?.match(/^ {2}await waitForOpen\(ws\);$/gm)).toHaveLength(2);
    expect(after).toContain('timeoutMs = 1500,');
    expect(after).not.toContain('t0');
  }, 60_000);

  it('the config default style `helper` applies without the option; --style inline wins over it', async () => {
    const config = JSON.stringify({ defaults: { style: 'helper' } });
    const src = `import WebSocket from 'ws';\n\nexport async function b(url: string, items: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  for (const item of items) ws.send(item);\n}\n`;
    const byConfig = await fix({ 'a.ts': src, 'handshake-guard.config.json': config });
    expect(byConfig.after).toContain('await waitForOpen(ws);');
    const inline = await fix({ 'a.ts': src, 'handshake-guard.config.json': config }, { style: 'inline' });
    expect(inline.after).not.toContain('waitForOpen');
    expect(inline.after).toContain('wsOpenWaitStart');
  }, 60_000);
});

describe('TS fix --placement', () => {
  const src = `import WebSocket from 'ws';\n\nexport async function b(url: string, items: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  for (const item of items) {\n    const text = JSON.stringify(item);\n    ws.send(text);\n  }\n}\n`;

  it('unset, a function gets its guard before the loop; per-message puts it before the send, inside the loop', async () => {
    const byDefault = await fix({ 'a.ts': src });
    expect(byDefault.after).toContain('  const wsOpenWaitStart = performance.now();\n  while');
    const perMessage = await fix({ 'a.ts': src }, { placement: 'per-message' });
    expect(perMessage.outcomes).toEqual(['b: insert']);
    expect(perMessage.after).toContain("    const text = JSON.stringify(item);\n    const wsOpenWaitStart = performance.now();");
    expect(perMessage.after).toContain("      console.warn('WebSocket not open within 3000 ms');\n      return;\n    }\n    ws.send(text);");
    const helper = await fix({ 'a.ts': src }, { placement: 'per-message', style: 'helper' });
    expect(helper.after).toContain('    const text = JSON.stringify(item);\n    await waitForOpen(ws);\n');
  }, 60_000);

  it('before-loop at the top level of a module is skipped with the reason', async () => {
    const top = `import WebSocket from 'ws';\n\nconst ws = new WebSocket('ws://localhost:1');\nfor (const m of ['a']) ws.send(m);\n`;
    const { outcomes } = await fix({ 'a.mjs': top }, { placement: 'before-loop' });
    expect(outcomes).toEqual(['<module>: top-level loop: a guard before it could not leave the module (`return` is not allowed there); use --placement per-message']);
    expect((await fix({ 'a.mjs': top })).outcomes).toEqual(['<module>: insert']);
  }, 60_000);
});

describe('TS fix: a loop whose guard does not compile', () => {
  it('is skipped with the type check\'s reason; the other loops of the file are still fixed', async () => {
    const src = `import WebSocket from 'ws';\n\nexport async function a(url: string, q: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  for (const m of q) ws.send(m);\n}\n\nexport async function b(ws: Pick<WebSocket, 'send' | 'readyState'>, q: string[]): Promise<void> {\n  for (const m of q) ws.send(m);\n}\n`;
    const { outcomes, after } = await fix({ 'a.ts': src });
    expect(outcomes).toEqual(['a: insert', `b: the fixed file has 4 more compiler diagnostics than before; first: TS2339 Property 'OPEN' does not exist on type 'Pick<WebSocket, "send" | "readyState">'. (line 10)`]);
    expect(after?.match(/while \(ws\.readyState !== ws\.OPEN\)/g)).toHaveLength(1);
    expect(after).toContain("export async function b(ws: Pick<WebSocket, 'send' | 'readyState'>, q: string[]): Promise<void> {\n  for (const m of q) ws.send(m);");
  }, 60_000);

  it('a later loop the refused block would have guarded is refused with it; one block guards both loops of a function', async () => {
    const src = `import WebSocket from 'ws';\n\nexport async function a(url: string, q: string[]): Promise<void> {\n  const ws = new WebSocket(url);\n  for (const m of q) ws.send(m);\n  for (const m of q) ws.send(m);\n}\n\nexport async function b(ws: Pick<WebSocket, 'send' | 'readyState'>, q: string[]): Promise<void> {\n  for (const m of q) ws.send(m);\n  for (const m of q) ws.send(m);\n}\n`;
    const { outcomes, after } = await fix({ 'a.ts': src });
    const refusal = `the fixed file has 4 more compiler diagnostics than before; first: TS2339 Property 'OPEN' does not exist on type 'Pick<WebSocket, "send" | "readyState">'. (line 11)`;
    expect(outcomes).toEqual(['a: insert', 'a: insert', `b: ${refusal}`, `b: ${refusal}`]);
    expect(after?.match(/while \(ws\.readyState !== ws\.OPEN\)/g)).toHaveLength(1);
  }, 60_000);
});

describe('findings claim fixable only where fix can await', () => {
  it('a loop in a sync function: HG001 fixable false, and fix skips it; in an async one: true, and fixed', async () => {
    const src = `import WebSocket from 'ws';\n\nexport function sync(url: string): void {\n  const ws = new WebSocket(url);\n  for (const m of ['a']) ws.send(m);\n}\n\nexport async function later(url: string): Promise<void> {\n  const ws = new WebSocket(url);\n  for (const m of ['a']) ws.send(m);\n}\n`;
    const { result, outcomes } = await fix({ 'a.ts': src });
    expect(result.scan.findings.filter((f) => f.ruleId === 'HG001').map((f) => [f.loop?.function, f.fixable])).toEqual([['sync', false], ['later', true]]);
    expect(outcomes).toEqual(['sync: the loop is not inside an async function (the guard awaits)', 'later: insert']);
  }, 60_000);
});

describe('TS fix --upgrade: what it leaves alone, and why', () => {
  it('a guard through a repository helper: the helper is to be upgraded instead', async () => {
    const src = `import { once } from 'node:events';
import WebSocket from 'ws';

async function openWithin(ws: WebSocket, ms: number): Promise<boolean> {
  try {
    await once(ws, 'open', { signal: AbortSignal.timeout(ms) });
    return true;
  } catch {
    return false;
  }
}

export async function a(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  if (!(await openWithin(ws, 20000))) return;
  for (const item of items) ws.send(item);
}
`;
    const { outcomes, after } = await fix({ 'a.ts': src }, { upgrade: true });
    expect(outcomes).toEqual(["a: the guard is a call to openWithin that passes its own timeout (line 15): align the call's arguments with the group's guards, or upgrade that helper, by hand"]);
    expect(after).toBeNull();
  }, 60_000);

  it('a setup name used after the guard stays; the wait and its re-check are replaced', async () => {
    const src = `import WebSocket from 'ws';

export async function a(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const deadline = Date.now() + 3000;
  while (ws.readyState === WebSocket.CONNECTING && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  if (ws.readyState !== WebSocket.OPEN) return;
  for (const item of items) ws.send(item);
  console.log(deadline - Date.now());
}
`;
    const { outcomes, after } = await fix({ 'a.ts': src }, { upgrade: true });
    expect(outcomes).toEqual(['a: upgrade']);
    expect(after).toContain('  const deadline = Date.now() + 3000;\n  const wsOpenWaitStart = performance.now();');
    expect(after).not.toContain('WebSocket.CONNECTING');
  }, 60_000);
});

describe('TS fix without --upgrade: groups a readyState block cannot follow', () => {
  it('guards that wait without polling (once + AbortSignal): skipped, pointing at --upgrade', async () => {
    const src = `import { once } from 'node:events';
import WebSocket from 'ws';

export async function a(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  try {
    await once(ws, 'open', { signal: AbortSignal.timeout(3000) });
  } catch (err) {
    console.warn('not open', err);
    return;
  }
  for (const item of items) ws.send(item);
}

export async function b(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  for (const item of items) ws.send(item);
}
`;
    const plain = await fix({ 'a.ts': src });
    expect(plain.outcomes).toEqual([
      "b: the group's guards (line 7 a) cannot be matched by the readyState block: they wait without polling (no interval to follow); run fix --upgrade to rewrite them all",
    ]);
    const upgraded = await fix({ 'a.ts': src }, { upgrade: true });
    expect(upgraded.outcomes).toEqual(['a: upgrade', 'b: insert']);
    expect(upgraded.refused).toEqual([null]);
    expect(upgraded.after).not.toContain('AbortSignal');
  }, 60_000);
});

describe('TS fix without --upgrade: a bound the fixer cannot read', () => {
  it('a timeout from a parameter: skipped, since a constant would not match it (HG002)', async () => {
    const src = grouped(5000).replace('(url: string, items: string[])', '(url: string, items: string[], limit: number)').replace('> 5000)', '> limit)');
    const { outcomes } = await fix({ 'a.ts': src });
    expect(outcomes).toEqual([
      "b: the group's guards (line 6 a) cannot be matched by the readyState block: their bound is not a constant the fixer can read; run fix --upgrade to rewrite them all",
    ]);
  }, 60_000);
});

describe('TS fix: top-level loops', () => {
  const loop = `for (const m of ['a']) ws.send(m);\n`;
  const esm = `import WebSocket from 'ws';\n\nconst ws = new WebSocket('ws://127.0.0.1:1');\n${loop}`;

  it('CommonJS (.cjs, or no "type": "module") and scripts are skipped with the reason', async () => {
    const { outcomes } = await fix({
      'a.cjs': `const WebSocket = require('ws');\nconst ws = new WebSocket('ws://127.0.0.1:1');\n${loop}`,
      'pkg/package.json': '{ "type": "commonjs" }',
      'pkg/b.js': esm,
      'c.js': `const ws = new WebSocket('ws://127.0.0.1:1');\n${loop}`,
    });
    expect(outcomes).toEqual([
      '<module>: top-level loop in a CommonJS file: the guard would need a top-level await, which CommonJS does not allow',
      '<module>: top-level loop in a file without import/export: the guard would need a top-level await, which only an ES module allows',
      '<module>: top-level loop: pkg/package.json does not set "type": "module", so the file is CommonJS to Node and a top-level await is not allowed',
    ]);
  }, 60_000);

  it('a package.json that is a FIFO is not read (no hang): the file counts as CommonJS', async () => {
    // In a subdirectory: config discovery (from the working directory up) does not look there.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-fifo-'));
    temps.push(dir);
    mkdirSync(path.join(dir, 'pkg'));
    execFileSync('mkfifo', [path.join(dir, 'pkg', 'package.json')]);
    writeFileSync(path.join(dir, 'pkg', 'a.js'), esm);
    const result = await runFix({ cwd: dir, paths: ['pkg/a.js'], write: false, upgrade: false });
    expect(result.files.flatMap((f) => f.outcomes.map((o) => o.skipped))).toEqual([
      'top-level loop: pkg/package.json does not set "type": "module", so the file is CommonJS to Node and a top-level await is not allowed',
    ]);
  }, 20_000);

  it('an unbounded wait before a top-level loop: skipped, since a guard after it would never run', async () => {
    const src = `import { once } from 'node:events';\n${esm.replace(loop, `await once(ws, 'open');\n${loop}`)}`;
    const { outcomes } = await fix({ 'a.mjs': src });
    expect(outcomes).toEqual([
      '<module>: the unbounded wait (line 5) cannot be replaced: the guard is before a top-level loop, where neither `return` nor `break` can leave; move it into the loop',
    ]);
  }, 60_000);

  it("a group whose guards return on timeout: skipped (a top-level guard can only break); --upgrade fixes both", async () => {
    const src = `import WebSocket from 'ws';

export async function a(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
${RETURN_GUARD(3000)}  for (const item of items) ws.send(item);
}

const ws = new WebSocket('ws://127.0.0.1:1');
${loop}`;
    const plain = await fix({ 'a.mjs': src });
    expect(plain.outcomes).toEqual(["<module>: top-level loop: the group's guards return on timeout, which a top-level guard cannot; run fix --upgrade (the canonical block breaks)"]);
    const upgraded = await fix({ 'a.mjs': src }, { upgrade: true });
    expect(upgraded.outcomes).toEqual(['a: upgrade', '<module>: insert']);
    expect(upgraded.refused).toEqual([null]);
  }, 60_000);
});

describe('TS fix: unbraced bodies it will not wrap', () => {
  it('a statement holding a multi-line template literal (re-indenting would change the string)', async () => {
    const src = `import WebSocket from 'ws';

export async function a(url: string, live: boolean, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  if (live) for (const item of items) ws.send(\`line one
line two \${item}\`);
}
`;
    const { outcomes } = await fix({ 'a.ts': src });
    expect(outcomes).toEqual(['a: the statement to wrap in braces holds a multi-line template literal']);
  }, 60_000);
});

describe('TS fix: the events import an upgrade leaves behind', () => {
  const waits = (receive: string): string => `import { once } from 'node:events';
import WebSocket from 'ws';

export async function pump(url: string, items: string[]): Promise<void> {
  const ws = new WebSocket(url);
  await once(ws, 'open');
  for (const item of items) ws.send(item);
}
${receive}`;

  it('is removed when the replaced wait was its only use', async () => {
    const { after, outcomes } = await fix({ 'a.ts': waits('') });
    expect(outcomes).toEqual(['pump: replace']);
    expect(after?.startsWith("import WebSocket from 'ws';\n")).toBe(true);
    expect(after).not.toMatch(/\bonce\b/);
  }, 60_000);

  it('stays while anything else still uses it', async () => {
    const receive = `\nexport async function next(ws: WebSocket): Promise<unknown> {\n  const [data] = await once(ws, 'message');\n  return data;\n}\n`;
    const { after, outcomes } = await fix({ 'a.ts': waits(receive) });
    expect(outcomes).toEqual(['pump: replace']);
    expect(after?.startsWith("import { once } from 'node:events';\n")).toBe(true);
  }, 60_000);
});
