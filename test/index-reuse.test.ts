// Two memos of the Python loop analysis whose failure the fixtures would not show:
// - a file the module index already parsed for a helper lookup is analysed from the index's
//   module and tree (not parsed again) only when the text is the same; the tree stays the index's
//   (later lookups still read it), and the file's own analysis does not make the index forget it;
// - a helper's receive is memoised per helper AND depth (a helper three calls from the loop is
//   followed, four is not, whichever loop asked first).
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { analyzePython } from '../src/languages/python/analyze.js';
import { loadParser } from '../src/languages/python/parser.js';
import { RepoIndex } from '../src/languages/python/repo-index.js';
import { run } from '../src/engine/run.js';
import { tempTree } from './helpers/cli.js';
import { DEFAULT_CONNECTION_NAMES, DEFAULT_RECEIVE_METHODS } from '../src/config/types.js';

const HELPER = `async def recv(ws):
    return await ws.receive_text()


async def pump(ws):
    while True:
        await recv(ws)
`;

const MAIN = `from fastapi import WebSocket
from app.helper import recv


async def endpoint(websocket: WebSocket):
    await websocket.accept()
    while True:
        await recv(websocket)
`;

const OPTIONS = { receiveMethods: DEFAULT_RECEIVE_METHODS, connectionNames: DEFAULT_CONNECTION_NAMES, guardHelpers: [] };

describe('the module index lends its parsed modules to the scan', () => {
  it('reuses a helper it parsed only for the same text, keeps it across the analysis, never frees it', async () => {
    const files = { 'app/__init__.py': '', 'app/helper.py': HELPER, 'app/main.py': MAIN };
    const dir = tempTree(files);
    const parser = await loadParser();
    const reads: string[] = [];
    const reader = {
      read(absPath: string): string | null {
        reads.push(path.relative(dir, absPath));
        return files[path.relative(dir, absPath) as keyof typeof files] ?? null;
      },
    };
    const abs = (rel: string): string => path.join(dir, rel);
    // What a fresh index (nothing parsed before) finds: the behaviour without the memo.
    const fresh = (rel: string, source: string) => {
      const index = new RepoIndex(parser, dir, reader);
      try {
        return analyzePython(rel, abs(rel), source, { ...OPTIONS, parser, index }).loops;
      } finally {
        index.dispose();
      }
    };
    const index = new RepoIndex(parser, dir, reader);
    const analyse = (rel: string, source: string) => analyzePython(rel, abs(rel), source, { ...OPTIONS, parser, index }).loops;
    try {
      const main = analyse('app/main.py', MAIN);
      expect(main.map((l) => l.receive.via)).toEqual(['recv']);
      expect(reads.filter((r) => r === 'app/helper.py')).toHaveLength(1);
      // The helper's own turn: the index's module, not a second parse; same loops as a fresh parse.
      expect(analyse('app/helper.py', HELPER)).toEqual(fresh('app/helper.py', HELPER));
      // Its tree is still alive and still the index's: the importer finds the same helper again.
      expect(analyse('app/main.py', MAIN)).toEqual(main);
      expect(reads.filter((r) => r === 'app/helper.py')).toHaveLength(1);
      // Another text under the same name (an edit, a staged version): analysed as given.
      const edited = HELPER.replace('    while True:\n        await recv(ws)\n', '    await recv(ws)\n');
      expect(analyse('app/helper.py', edited)).toEqual([]);
      expect(analyse('app/main.py', MAIN)).toEqual(main);
    } finally {
      index.dispose();
    }
  });
});

describe('helper receives are memoised per depth', () => {
  it('a helper three calls from the loop is followed, four is not, after the shallower loop', async () => {
    const chain = `from fastapi import WebSocket


async def h1(ws):
    return await ws.receive_text()


async def h2(ws):
    return await h1(ws)


async def h3(ws):
    return await h2(ws)


async def h4(ws):
    return await h3(ws)


async def three(websocket: WebSocket):
    await websocket.accept()
    while True:
        await h3(websocket)


async def four(websocket: WebSocket):
    await websocket.accept()
    while True:
        await h4(websocket)
`;
    const dir = tempTree({ 'chain.py': chain });
    const { report } = await run({ cwd: dir, paths: ['.'] });
    expect(report.loops.map((l) => [l.function, l.receive.call])).toEqual([['three', 'h3']]);
  });
});
