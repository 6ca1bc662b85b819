// Import cycles in the repository index: a module that shadows what it imports (`app/typing.py`
// doing `from typing import cast`: the index resolves `typing` to itself) and two modules
// re-exporting each other. Following them overflowed the stack: the file's analysis failed and
// its unguarded loop vanished from a passing table (solara, litestar). Each must be analysed.
import { describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { tempTree } from './helpers/cli.js';

const ENDPOINT = `from fastapi import WebSocket


async def endpoint(websocket: WebSocket):
    await websocket.accept()
    while True:
        await websocket.receive_text()
`;

const TREES: Record<string, Record<string, string>> = {
  'a module shadowing the one it imports (typing)': {
    'app/__init__.py': '',
    'app/typing.py': 'from typing import cast\n',
    'app/ws.py': `from typing import cast\n${ENDPOINT}\n\nclass Headers:\n    def __init__(self, raw):\n        self.items = cast(list, raw)\n\n    def add(self, key):\n        self.items.append(key)\n\n\ndef copy_headers(keys):\n    h = Headers([])\n    for k in keys:\n        h.add(k)\n        cast(str, k)\n`,
  },
  'a module shadowing the one it imports (flask), the loop in it': {
    'pkg/__init__.py': '',
    'pkg/flask.py': `from flask import request\n${ENDPOINT}\n\ndef headers():\n    for k in request.headers.items():\n        request.headers.get(k)\n`,
  },
  'two modules re-exporting each other': {
    'pkg/__init__.py': '',
    'pkg/a.py': 'from pkg.b import Headers\n',
    'pkg/b.py': 'from pkg.a import Headers\n',
    'pkg/c.py': `from pkg.a import Headers\n${ENDPOINT}\n\ndef copy(items):\n    for k in items:\n        Headers.add(k)\n`,
  },
};

describe('import cycles in the repository index', () => {
  for (const [name, files] of Object.entries(TREES)) {
    it(`${name}: analysed, its loop found`, async () => {
      const dir = tempTree(files);
      const { report, notes } = await run({ cwd: dir, paths: ['.'] });
      expect(notes.filter((n) => n.includes('analysis failed'))).toEqual([]);
      expect(report.findings.map((f) => `${f.ruleId} ${f.file}:${f.line}`)).toEqual([expect.stringMatching(/^HG001 (app\/ws|pkg\/flask|pkg\/c)\.py:\d+$/)]);
      expect(report.checks.find((c) => c.id === 'coverage')?.status).toBe('fail');
    });
  }
});
