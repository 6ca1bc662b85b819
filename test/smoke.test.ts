import { describe, expect, it } from 'vitest';
import { withPythonTree } from '../src/languages/python/parser.js';

describe('python parser', () => {
  it('parses a message loop and reports no error', async () => {
    const kinds = await withPythonTree('async def f(ws):\n    while True:\n        await ws.receive_text()\n', (t) => [
      t.rootNode.hasError,
      t.rootNode.child(0)?.type,
    ]);
    expect(kinds).toEqual([false, 'function_definition']);
  });
});
