// findInScope answers the front end's questions about a scope from one walk per scope root
// (nodes.ts): every answer must be the one a walk for exactly those types gives — same nodes, in
// document order, the root when it matches, nothing inside a nested def/class/lambda.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FUNCTION_SCOPES, findInScope, type PyNode } from '../src/languages/python/nodes.js';
import { loadParser } from '../src/languages/python/parser.js';

const ROOT = path.resolve(__dirname, '..');

function pythonFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? pythonFiles(p) : p.endsWith('.py') ? [p] : [];
  });
}

const QUESTIONS: string[][] = [
  ['call'],
  ['assignment'],
  ['assignment', 'with_item'],
  ['while_statement', 'for_statement'],
  ['comparison_operator', 'call'],
  ['if_statement'],
  ['if_statement', 'elif_clause', 'assignment'],
  ['augmented_assignment'],
  ['assignment', 'augmented_assignment', 'for_statement', 'named_expression'],
  ['function_definition'],
  ['identifier', 'call'],
];

/** The plain walk: a scopes set equal to FUNCTION_SCOPES but not it is never answered from the index. */
const plain = (root: PyNode, types: Set<string>): number[] => findInScope(root, types, new Set(FUNCTION_SCOPES)).map((n) => n.id);
const indexed = (root: PyNode, types: Set<string>): number[] => findInScope(root, types).map((n) => n.id);

describe('findInScope', () => {
  it('gives a plain walk\'s answer for every scope root of the fixtures and examples, asked twice', async () => {
    const parser = await loadParser();
    const files = [...pythonFiles(path.join(ROOT, 'fixtures')), ...pythonFiles(path.join(ROOT, 'examples'))];
    expect(files.length).toBeGreaterThan(100);
    let compared = 0;
    for (const file of files) {
      const tree = parser.parse(readFileSync(file, 'utf8'));
      if (!tree) continue;
      try {
        const roots = [tree.rootNode, ...tree.rootNode.descendantsOfType(['function_definition', 'class_definition', 'lambda', 'while_statement', 'if_statement', 'block'])].filter((n): n is PyNode => n !== null);
        for (const root of roots) {
          for (const q of QUESTIONS) {
            const types = new Set(q);
            const want = plain(root, types);
            expect([file, root.startIndex, q, indexed(root, types)]).toEqual([file, root.startIndex, q, want]);
            expect(indexed(root, new Set([...q].reverse()))).toEqual(want);
            compared++;
          }
        }
      } finally {
        tree.delete();
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('returns a new array each time (callers may change it)', async () => {
    const parser = await loadParser();
    const tree = parser.parse('def f(ws):\n    while True:\n        x = ws.receive()\n        def g():\n            y = h()\n        print(x)\n');
    if (!tree) throw new Error('no tree');
    try {
      const fn = tree.rootNode.namedChildren[0] as PyNode;
      const first = findInScope(fn, new Set(['call']));
      expect(first.map((n) => n.text)).toEqual(['ws.receive()', 'print(x)']);
      first.pop();
      expect(findInScope(fn, new Set(['call'])).map((n) => n.text)).toEqual(['ws.receive()', 'print(x)']);
      expect(findInScope(fn, new Set(['function_definition'])).map((n) => n.startIndex)).toEqual([fn.startIndex]);
    } finally {
      tree.delete();
    }
  });
});
