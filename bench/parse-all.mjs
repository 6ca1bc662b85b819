#!/usr/bin/env node
// The second floor for `scan`: read-all plus a tree-sitter parse of every file with the CLI's
// own parser (dist/, web-tree-sitter + tree-sitter-python wasm), optionally followed by one
// walk over every named node — what each of the scanner's whole-tree passes costs.
//
//   node bench/parse-all.mjs <dir> [--walk none|children|cursor]
//     none      parse, look at rootNode.hasError, free the tree
//     children  + one pre-order walk through `node.namedChildren` (the scanner's `walk`)
//     cursor    + one pre-order walk with a TreeCursor (visits every node, named or not)
//   → one JSON line: files, nodes, errors, ms
//
// Needs `npm run build` (it imports dist/src/languages/python/parser.js).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SKIP = new Set(['node_modules', '.venv', 'venv', '.git', 'dist', 'build', '__pycache__', '.tox', '.mypy_cache']);

function walkChildren(root) {
  let n = 0;
  const stack = [root];
  while (stack.length) {
    const node = stack.pop();
    n++;
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) if (children[i]) stack.push(children[i]);
  }
  return n;
}

function walkCursor(root) {
  let n = 0;
  const c = root.walk();
  try {
    for (;;) {
      n++;
      if (c.gotoFirstChild()) continue;
      while (!c.gotoNextSibling()) if (!c.gotoParent()) return n;
    }
  } finally {
    c.delete();
  }
}

async function main() {
  const dir = process.argv[2];
  const wi = process.argv.indexOf('--walk');
  const mode = wi > 0 ? process.argv[wi + 1] : 'none';
  if (!dir || !['none', 'children', 'cursor'].includes(mode)) {
    console.error('usage: node bench/parse-all.mjs <dir> [--walk none|children|cursor]');
    process.exit(2);
  }
  const { loadParser } = await import(pathToFileURL(path.join(REPO, 'dist/src/languages/python/parser.js')).href);
  const t0 = performance.now();
  const parser = await loadParser();
  let files = 0;
  let nodes = 0;
  let errors = 0;
  const stack = [path.resolve(dir)];
  while (stack.length) {
    const d = stack.pop();
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) stack.push(p);
      } else if (e.isFile() && e.name.endsWith('.py')) {
        const tree = parser.parse(readFileSync(p, 'utf8'));
        files++;
        if (tree.rootNode.hasError) errors++;
        if (mode === 'children') nodes += walkChildren(tree.rootNode);
        else if (mode === 'cursor') nodes += walkCursor(tree.rootNode);
        tree.delete();
      }
    }
  }
  console.log(JSON.stringify({ files, nodes, errors, mode, ms: performance.now() - t0 }));
}

main().catch((e) => {
  console.error(`parse-all: ${e.message}`);
  process.exitCode = 2;
});
