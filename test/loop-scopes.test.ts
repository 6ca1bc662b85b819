// loopsByScope (loop-scopes.ts) finds the loops of a tree without errors from their keywords in
// the text, confirmed on the tree: every answer must be a native search's — the same loops, in
// document order, under the same scope as findInScope's — or the loop analysis skips a scope that
// holds one. (The same comparison on 15,848 files of 11 repositories and the standard library: no
// difference, when it was written.)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loopsByScope } from '../src/languages/python/loop-scopes.js';
import { COMPREHENSION_TYPES, findInScope, FUNCTION_SCOPES, LOOP_TYPES, type PyNode } from '../src/languages/python/nodes.js';
import { loadParser, parseTolerant } from '../src/languages/python/parser.js';

const ROOT = path.resolve(__dirname, '..');

function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? pythonFiles(p) : p.endsWith('.py') ? [p] : [];
  });
}

const LOOPS = new Set([...LOOP_TYPES, ...COMPREHENSION_TYPES]);

/** Per scope root (the module, every def, class and lambda), the loops (comprehensions too) findInScope finds there. */
function byWalk(root: PyNode): [number, number[]][] {
  const scopes = [root, ...root.descendantsOfType([...FUNCTION_SCOPES])].filter((n): n is PyNode => n !== null);
  return scopes.map((s): [number, number[]] => [s.id, findInScope(s, LOOPS).map((n) => n.id)]).filter(([, loops]) => loops.length > 0);
}

const byText = (root: PyNode, text: string): [number, number[]][] => [...loopsByScope(root, text)].map(([id, loops]): [number, number[]] => [id, loops.map((n) => n.id)]);

const sorted = (pairs: [number, number[]][]): [number, number[]][] => [...pairs].sort((a, b) => a[0] - b[0]);

describe('loopsByScope', () => {
  it('finds the loops findInScope finds, scope by scope, in every file of the fixtures and examples', async () => {
    const parser = await loadParser();
    const files = [...pythonFiles(path.join(ROOT, 'fixtures')), ...pythonFiles(path.join(ROOT, 'examples'))];
    let loops = 0;
    for (const file of files) {
      let parsed: ReturnType<typeof parseTolerant>;
      try {
        parsed = parseTolerant(parser, readFileSync(file, 'utf8'));
      } catch {
        continue; // nested too deep: never analysed
      }
      try {
        const want = sorted(byWalk(parsed.tree.rootNode));
        expect([file, sorted(byText(parsed.tree.rootNode, parsed.text))]).toEqual([file, want]);
        loops += want.reduce((n, [, l]) => n + l.length, 0);
      } finally {
        parsed.tree.delete();
      }
    }
    expect(loops).toBeGreaterThan(300);
  });

  it('reads keywords as the tokenizer does, skips words that are not loop keywords, finds each comprehension once', async () => {
    const parser = await loadParser();
    const text = [
      '# for while in a comment',
      's = "for x in y: while"',
      'xs = [a for a in b]',
      'before, format_, while_ = 1, 2, 3',
      'for i in range(3):',
      '    while i:',
      '        i -= 1',
      'class C:',
      '    for k in (1,):',
      '        pass',
      'def f():',
      '    g = lambda: [x for x in ()]',
      '    n = {k: [v for v in k] for k in (x async for x in y) for j in k}',
      '    async def h():',
      '        async for m in ws:',
      '            pass',
      '',
    ].join('\n');
    const { tree } = parseTolerant(parser, text);
    try {
      const root = tree.rootNode;
      expect(root.hasError).toBe(false);
      expect(sorted(byText(root, text))).toEqual(sorted(byWalk(root)));
      expect([...loopsByScope(root, text).values()].flat().map((n) => n.startPosition.row + 1)).toEqual([3, 5, 6, 9, 12, 13, 13, 13, 15]);
    } finally {
      tree.delete();
    }
  });
});
