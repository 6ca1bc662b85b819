#!/usr/bin/env node
// HG011's cheap path against its full walk (issue #8): every `.py` file under the given
// directories, parsed once, checked both ways for each target; prints every file where the two
// disagree and the time each path took. It prints; it never asserts (the test is
// test/syntax-cheap-path.test.ts).
//
//   npm run build
//   node bench/hg011-paths.mjs [--targets 3.8,3.10,3.11,3.12] DIR... (default: /usr/lib/python3*/)

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = (rel) => import(pathToFileURL(path.join(REPO, 'dist/src/languages/python', rel)).href);
const { loadParser, parseTolerant } = await dist('parser.js');
const { pythonSyntaxProblems } = await dist('syntax-check.js');

const args = process.argv.slice(2);
const ti = args.indexOf('--targets');
const targets = (ti >= 0 ? args.splice(ti, 2)[1] : '3.8,3.10,3.11,3.12').split(',');
const dirs = args.length > 0 ? args : readdirSync('/usr/lib').filter((d) => /^python3/.test(d)).map((d) => path.join('/usr/lib', d));

function files(dir) {
  const out = [];
  const stack = [dir];
  while (stack.length) {
    const d = stack.pop();
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      const p = path.join(d, e.name);
      if (e.isDirectory() && !e.isSymbolicLink()) stack.push(p);
      else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
    }
  }
  return out;
}

const parser = await loadParser();
const key = (ps) => JSON.stringify(ps);
let checked = 0;
let differ = 0;
let skippedFiles = 0;
const ms = { cheap: 0, full: 0 };
for (const dir of dirs) {
  for (const file of files(dir)) {
    let source;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      skippedFiles++;
      continue;
    }
    let parsed;
    try {
      parsed = parseTolerant(parser, source);
    } catch {
      skippedFiles++;
      continue;
    }
    const { tree, text } = parsed;
    try {
      for (const version of targets) {
        const target = { pythonVersion: version, source: 'bench' };
        let t = performance.now();
        const full = pythonSyntaxProblems(tree.rootNode, text, target, parser, { cheap: false });
        ms.full += performance.now() - t;
        t = performance.now();
        const cheap = pythonSyntaxProblems(tree.rootNode, text, target, parser);
        ms.cheap += performance.now() - t;
        checked++;
        if (key(full) !== key(cheap)) {
          differ++;
          console.log(`DIFFERENT ${file} @${version}\n  full:  ${key(full)}\n  cheap: ${key(cheap)}`);
        }
      }
    } finally {
      tree.delete();
    }
  }
}
console.log(`${checked} file × target checks over ${dirs.join(', ')} (targets ${targets.join(', ')}); ${differ} differ; ${skippedFiles} files not read`);
console.log(`HG011 time: full walk ${(ms.full / 1000).toFixed(1)} s, cheap path ${(ms.cheap / 1000).toFixed(1)} s`);
