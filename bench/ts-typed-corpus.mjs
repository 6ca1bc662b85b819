#!/usr/bin/env node
// A copy of the generated TS tree where only the type checker can place the sockets (issue #5):
// each ws client module gets its socket from a factory (`this.ws = connect(url)`, the field typed
// `ReturnType<typeof connect>`), so the syntax-only path finds none of its loops and the
// type-aware path must find all of them, with the manifest's guard kinds. Line numbers are kept,
// so the copied bench-manifest.json still applies. node_modules is linked from this repository
// (for `ws`'s types); the tree's own tsconfig.json is what the scan finds.
//
//   node bench/ts-typed-corpus.mjs [--from bench/.corpus/ts] [--out bench/.corpus/ts-typed]
import { cpSync, existsSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const from = path.resolve(arg('--from', path.join(here, '.corpus/ts')));
const out = path.resolve(arg('--out', path.join(here, '.corpus/ts-typed')));
const manifestPath = path.join(from, 'bench-manifest.json');
if (!existsSync(manifestPath)) throw new Error(`${from} is not a generated TS corpus (run: node bench/generate-ts.mjs --out ${from})`);
if (existsSync(out)) {
  if (!existsSync(path.join(out, 'bench-manifest.json'))) throw new Error(`${out} exists and is not a corpus copy: not overwriting it`);
  rmSync(out, { recursive: true, force: true });
}
cpSync(from, out, { recursive: true });
symlinkSync(path.resolve(here, '../node_modules'), path.join(out, 'node_modules'), 'dir');
writeFileSync(
  path.join(out, 'src/core/ws-factory.ts'),
  "// The factory the typed copy's clients connect through: only the checker knows what it returns.\nimport WebSocket from 'ws';\n\nexport function connect(url: string) {\n  return new WebSocket(url);\n}\n",
);
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
let changed = 0;
for (const m of manifest.wsModules) {
  const file = path.join(out, m.file);
  const before = readFileSync(file, 'utf8');
  // Same line count: each replacement stays on its line.
  const after = before
    .replace("import WebSocket from 'ws';", "import WebSocket from 'ws'; import { connect } from '../../core/ws-factory';")
    .replace('  private ws: WebSocket;', '  private ws: ReturnType<typeof connect>;')
    .replace('    this.ws = new WebSocket(url);', '    this.ws = connect(url);');
  if (after.split('\n').length !== before.split('\n').length || after === before) throw new Error(`${m.file}: unexpected shape`);
  writeFileSync(file, after);
  changed++;
}
console.log(`${out}: ${changed} ws client modules connect through src/core/ws-factory.ts; node_modules linked`);
