// End to end for the TS/JS codemod: a real `ws` client loop that sends while CONNECTING throws
// before the fix; after `fix --write` it runs against a real `ws` server on loopback and every
// message arrives, on a refused connection the guard leaves at once instead of waiting the bound,
// and against a server that never answers the upgrade it waits the bound, warns once and leaves.
// The same for `fix --upgrade` of a guard with a Date.now() deadline and no fallback (it sends while
// CONNECTING once its bound runs out): the upgraded guard keeps its 500 ms bound and leaves.
// Both with the inline block and with --style helper (the module's wait function, the re-check at
// the call). And for a loop at the top level of an ES module (unbraced body: braces added, `break` to leave).
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';
import { runFix } from '../src/fix/fix.js';

const CLIENT = `import WebSocket from 'ws';

export async function sendAll(url, messages) {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  for (const m of messages) {
    ws.send(m);
  }
  return ws;
}
`;

// Wall clock, and nothing happens when the bound runs out (HG005, HG006, HG007).
const DATE_NOW_CLIENT = `import WebSocket from 'ws';

export async function sendAll(url, messages) {
  const ws = new WebSocket(url);
  ws.on('error', () => {});
  const deadline = Date.now() + 500;
  while (ws.readyState === WebSocket.CONNECTING && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const m of messages) {
    ws.send(m);
  }
  return ws;
}
`;

// A top-level loop: the module's own evaluation sends (top-level await is valid in .mjs).
const TOP_LEVEL_CLIENT = `import WebSocket from 'ws';

const { url, messages } = globalThis.hgE2e;
export const ws = new WebSocket(url);
ws.on('error', () => {});
for (const m of messages) ws.send(m);
`;

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function project(client = CLIENT): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-ws-e2e-'));
  temps.push(dir);
  symlinkSync(path.resolve(__dirname, '../node_modules'), path.join(dir, 'node_modules'), 'dir');
  writeFileSync(path.join(dir, 'client.mjs'), client);
  return dir;
}

/** A TCP server that takes the connection and never answers the upgrade: the socket stays CONNECTING. */
async function silentServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets: net.Socket[] = [];
  const silent = net.createServer((socket) => sockets.push(socket));
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const port = (silent.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    },
  };
}

type SendAll = (url: string, messages: string[]) => Promise<{ readyState: number; close(): void } | undefined>;

async function load(file: string, tag: string): Promise<SendAll> {
  const mod = (await import(`${pathToFileURL(file).href}?${tag}`)) as { sendAll: SendAll };
  return mod.sendAll;
}

async function server(): Promise<{ url: string; received: string[]; done: (n: number) => Promise<void>; close: () => Promise<void> }> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const received: string[] = [];
  wss.on('connection', (ws) => ws.on('message', (data) => received.push(String(data))));
  const port = (wss.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    received,
    done: async (n) => {
      const until = Date.now() + 5000;
      while (received.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
    },
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        wss.close(() => r());
      }),
  };
}

// Both styles: the inline block, and the module's wait helper with the re-check at the call.
for (const style of ['inline', 'helper'] as const) describe(`fixed ws client against a real ws server (--style ${style})`, () => {
  it('throws while CONNECTING before the fix, delivers every message after it', async () => {
    const dir = project();
    const file = path.join(dir, 'client.mjs');
    const srv = await server();
    try {
      const before = await load(file, `${style}-before`);
      await expect(before(srv.url, ['x'])).rejects.toThrow(/CONNECTING/);
      const result = await runFix({ cwd: dir, paths: ['client.mjs'], write: true, upgrade: false, style });
      expect(result.files.map((f) => [f.refused, f.written])).toEqual([[null, true]]);
      expect(readFileSync(file, 'utf8')).toContain('performance.now()');
      if (style === 'helper') expect(readFileSync(file, 'utf8')).toContain('await waitForOpen(ws);');
      const after = await load(file, `${style}-after`);
      const messages = Array.from({ length: 20 }, (_, i) => `message ${i}`);
      const ws = await after(srv.url, messages);
      await srv.done(messages.length);
      expect(srv.received).toEqual(messages);
      ws?.close();
    } finally {
      await srv.close();
    }
  });

  it('leaves at once when the connection is refused (CLOSED), well before the bound', async () => {
    const dir = project();
    const file = path.join(dir, 'client.mjs');
    await runFix({ cwd: dir, paths: ['client.mjs'], write: true, upgrade: false, style });
    const srv = await server();
    const url = srv.url;
    await srv.close(); // nothing listens on the port any more
    const sendAll = await load(file, `${style}-refused`);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const start = performance.now();
      // The guard returns (undefined) as soon as the socket is CLOSED, instead of waiting 3000 ms;
      // its re-check says so once.
      expect(await sendAll(url, ['lost'])).toBeUndefined();
      expect(performance.now() - start).toBeLessThan(2500);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
    }
  });
  it('waits the bound, warns once and leaves when the server never answers the upgrade', async () => {
    const dir = project();
    const file = path.join(dir, 'client.mjs');
    await runFix({ cwd: dir, paths: ['client.mjs'], write: true, upgrade: false, style, timeout: 0.5 });
    // A TCP server that takes the connection and never answers: the socket stays CONNECTING.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as AddressInfo).port;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const sendAll = await load(file, `${style}-silent`);
      const start = performance.now();
      const ws = await sendAll(`ws://127.0.0.1:${port}`, ['never sent']);
      const elapsed = performance.now() - start;
      expect(ws).toBeUndefined();
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => silent.close(() => r()));
    }
  });
});

describe('fix --upgrade of a Date.now() guard with no fallback, against real servers', () => {
  it('before: sends while CONNECTING once the bound runs out; after: every message arrives', async () => {
    const dir = project(DATE_NOW_CLIENT);
    const file = path.join(dir, 'client.mjs');
    const silent = await silentServer();
    const srv = await server();
    try {
      const before = await load(file, 'upgrade-before');
      await expect(before(silent.url, ['x'])).rejects.toThrow(/CONNECTING/);
      const result = await runFix({ cwd: dir, paths: ['client.mjs'], write: true, upgrade: true });
      expect(result.files.map((f) => [f.refused, f.written, f.outcomes.map((o) => o.action)])).toEqual([[null, true, ['upgrade']]]);
      const text = readFileSync(file, 'utf8');
      expect(text).not.toContain('Date.now()');
      expect(text).toContain('performance.now() - wsOpenWaitStart > 500) break;');
      const after = await load(file, 'upgrade-after');
      const messages = Array.from({ length: 20 }, (_, i) => `upgraded ${i}`);
      const ws = await after(srv.url, messages);
      await srv.done(messages.length);
      expect(srv.received).toEqual(messages);
      ws?.close();
    } finally {
      await srv.close();
      await silent.close();
    }
  });

  it('after: against a server that never answers, waits the bound (500 ms), warns once and leaves', async () => {
    const dir = project(DATE_NOW_CLIENT);
    const file = path.join(dir, 'client.mjs');
    await runFix({ cwd: dir, paths: ['client.mjs'], write: true, upgrade: true });
    const silent = await silentServer();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const sendAll = await load(file, 'upgrade-silent');
      const start = performance.now();
      const ws = await sendAll(silent.url, ['never sent']);
      const elapsed = performance.now() - start;
      expect(ws).toBeUndefined();
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(2500);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
      await silent.close();
    }
  });
});

describe('fixed top-level loop of an ES module, against real servers', () => {
  const g = globalThis as { hgE2e?: { url: string; messages: string[] } };

  it('throws while CONNECTING before the fix; after it the import sends every message', async () => {
    const dir = project(TOP_LEVEL_CLIENT);
    const file = path.join(dir, 'client.mjs');
    const srv = await server();
    try {
      g.hgE2e = { url: srv.url, messages: ['x'] };
      await expect(import(`${pathToFileURL(file).href}?top-before`)).rejects.toThrow(/CONNECTING/);
      const result = await runFix({ cwd: dir, paths: ['client.mjs'], write: true, upgrade: false, timeout: 0.5 });
      expect(result.files.map((f) => [f.refused, f.written])).toEqual([[null, true]]);
      expect(readFileSync(file, 'utf8')).toContain('for (const m of messages) {\n  const wsOpenWaitStart = performance.now();');
      const messages = Array.from({ length: 20 }, (_, i) => `top ${i}`);
      g.hgE2e = { url: srv.url, messages };
      const mod = (await import(`${pathToFileURL(file).href}?top-after`)) as { ws: { close(): void } };
      await srv.done(messages.length);
      expect(srv.received).toEqual(messages);
      mod.ws.close();
    } finally {
      await srv.close();
    }
  });

  it('against a server that never answers, the import waits the bound, warns once and breaks out', async () => {
    const dir = project(TOP_LEVEL_CLIENT);
    const file = path.join(dir, 'client.mjs');
    await runFix({ cwd: dir, paths: ['client.mjs'], write: true, upgrade: false, timeout: 0.5 });
    const silent = await silentServer();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      g.hgE2e = { url: silent.url, messages: ['never sent', 'nor this'] };
      const start = performance.now();
      const mod = (await import(`${pathToFileURL(file).href}?top-silent`)) as { ws: { readyState: number } };
      const elapsed = performance.now() - start;
      expect(mod.ws.readyState).toBe(0);
      expect(elapsed).toBeGreaterThanOrEqual(450);
      expect(elapsed).toBeLessThan(2500);
      expect(warn).toHaveBeenCalledTimes(1);
    } finally {
      warn.mockRestore();
      await silent.close();
      delete g.hgE2e;
    }
  });
});
