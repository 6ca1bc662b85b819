#!/usr/bin/env node
// The floor for `scan`: what it costs Node just to walk a tree, read every .py file and run
// one regex over it — no parsing, no analysis. `scan-bench.mjs` runs this as a child process,
// like the CLI, so both pay the same Node start-up.
//
//   node bench/read-all.mjs <dir> [--lang python|ts|all]   → one JSON line: files, lines, bytes, matches, ms
//
// --lang picks the files read: .py (default), the TS/JS extensions the CLI scans, or both.
//
// The walk skips the directories the CLI skips by default (node_modules, .git, …).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const SKIP = new Set(['node_modules', '.venv', 'venv', '.git', 'dist', 'build', '__pycache__', '.tox', '.mypy_cache']);
// One regex: the receive calls of SPEC §3 (what a cheap grep-based checker would look for).
const RECEIVE = /\.(?:receive(?:_text|_bytes|_json)?|iter_(?:text|bytes|json))\(/g;

const EXTENSIONS = {
  python: ['.py'],
  ts: ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'],
};
EXTENSIONS.all = [...EXTENSIONS.python, ...EXTENSIONS.ts];

export function readAll(root, lang = 'python') {
  const exts = EXTENSIONS[lang];
  if (!exts) throw new Error(`unknown --lang ${lang}`);
  const wanted = (name) => exts.some((e) => name.endsWith(e));
  const t0 = performance.now();
  let files = 0;
  let lines = 0;
  let bytes = 0;
  let matches = 0;
  const stack = [root];
  while (stack.length) {
    const dir = stack.pop();
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!SKIP.has(e.name)) stack.push(p);
      } else if (e.isFile() && wanted(e.name)) {
        const text = readFileSync(p, 'utf8');
        files++;
        bytes += Buffer.byteLength(text);
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
        RECEIVE.lastIndex = 0;
        while (RECEIVE.exec(text) !== null) matches++;
      }
    }
  }
  return { files, lines, bytes, matches, ms: performance.now() - t0 };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node bench/read-all.mjs <dir>');
    process.exit(2);
  }
  const i = process.argv.indexOf('--lang');
  console.log(JSON.stringify(readAll(path.resolve(dir), i > 0 ? process.argv[i + 1] : 'python')));
}
