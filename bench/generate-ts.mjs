#!/usr/bin/env node
// Deterministic generator of a large TypeScript project tree for benchmarking `scan` on TS
// (issue #8). Same arguments → byte-identical tree (the sfc32 PRNG of generate.mjs, seeded per
// file from the seed and the path; no Math.random, no clock).
//
//   node bench/generate-ts.mjs --out bench/.corpus/ts --files 5000 [--seed 1] [--ws-share 0.02]
//
// The tree: `package.json`, `tsconfig.json`, `src/<package>/{models,services,utils,api,clients,
// stores}/<name>.ts` and `test/<package>/<name>.test.ts`, ~220 lines per file: interfaces,
// classes with constructors and async methods, generics, enums, arrow functions, template
// literals, try/catch, Map/Set code, loops over arrays; imports between modules of the tree.
// About `--ws-share` of the files are `ws` clients: a `new WebSocket(url)` and loops that
// send on it unguarded, behind a `readyState === WebSocket.OPEN` check, or after a bounded
// wait (`waitForOpen(ws, 5000)` from `src/core/ws-guards.ts`); plus loops over queues and
// workers that are not message loops. `bench-manifest.json` (never scanned) lists each
// WebSocket module and the loops it wrote.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Rng } from './generate.mjs';

export const TS_GENERATOR_VERSION = 1;

const NOUNS = 'account order invoice ledger payment refund cart price stock item user team role audit event report metric alert device session token ticket channel message upload export import batch job quota plan tier coupon region vendor'.split(' ');
const VERBS = 'load save sync build parse render compute merge apply fetch resolve notify refresh validate encode decode collect publish schedule archive'.split(' ');
const SUBS = ['models', 'services', 'utils', 'api', 'clients', 'stores'];
const PACKAGES = 'accounts billing catalog checkout delivery documents events gateway identity inventory ledger messaging metering notifications orders payments pricing reporting search settlements shipping support vendors'.split(' ');

const cap = (s) => s[0].toUpperCase() + s.slice(1);
const camel = (a, b) => `${a}${cap(b)}`;

function iface(r, name) {
  const fields = r.sample(NOUNS, r.int(3, 8));
  const types = ['string', 'number', 'boolean', 'Date', 'string[]', 'Record<string, number>', 'number | null'];
  return [`export interface ${name} {`, ...fields.map((f) => `  ${f}${r.chance(0.2) ? '?' : ''}: ${r.pick(types)};`), '}', ''];
}

function enumBlock(r, name) {
  const members = r.sample(NOUNS, r.int(3, 6));
  return [`export enum ${name} {`, ...members.map((m, i) => `  ${cap(m)} = ${r.chance(0.5) ? `'${m}'` : i},`), '}', ''];
}

function method(r, name, entity) {
  const verb = r.pick(VERBS);
  const noun = r.pick(NOUNS);
  const out = [];
  const isAsync = r.chance(0.6);
  out.push(`  ${isAsync ? 'async ' : ''}${camel(verb, noun)}(items: ${entity}[], limit = ${r.int(1, 500)}): ${isAsync ? `Promise<${entity}[]>` : `${entity}[]`} {`);
  out.push(`    const seen = new Set<string>();`);
  out.push(`    const out: ${entity}[] = [];`);
  const shape = r.int(0, 3);
  if (shape === 0) {
    out.push(`    for (const item of items) {`);
    out.push(`      const key = \`\${this.prefix}:\${JSON.stringify(item).length}\`;`);
    out.push(`      if (seen.has(key)) continue;`);
    out.push(`      seen.add(key);`);
    out.push(`      out.push(item);`);
    out.push(`      if (out.length >= limit) break;`);
    out.push(`    }`);
  } else if (shape === 1) {
    out.push(`    let i = 0;`);
    out.push(`    while (i < items.length && out.length < limit) {`);
    out.push(`      const item = items[i++];`);
    out.push(`      if (item !== undefined) out.push(item);`);
    out.push(`    }`);
  } else if (shape === 2) {
    out.push(`    try {`);
    out.push(`      const sorted = [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));`);
    out.push(`      out.push(...sorted.slice(0, limit));`);
    out.push(`    } catch (err) {`);
    out.push(`      this.log.warn(\`${verb} failed: \${String(err)}\`);`);
    out.push(`    }`);
  } else {
    out.push(`    items.forEach((item, index) => {`);
    out.push(`      if (index < limit && !seen.has(String(index))) out.push(item);`);
    out.push(`    });`);
  }
  if (isAsync) out.push(`    await Promise.resolve();`);
  out.push(`    return out;`);
  out.push(`  }`);
  out.push('');
  return out;
}

function classBlock(r, name, entity) {
  const out = [`export class ${name} {`, `  private readonly cache = new Map<string, ${entity}>();`, `  constructor(private readonly prefix: string, private readonly log: Logger = console) {}`, ''];
  const n = r.int(2, 7);
  for (let i = 0; i < n; i++) out.push(...method(r, name, entity));
  out.push(`  get size(): number {`, `    return this.cache.size;`, `  }`, '}', '');
  return out;
}

function helpers(r) {
  const out = [];
  const n = r.int(1, 4);
  for (let i = 0; i < n; i++) {
    const name = camel(r.pick(VERBS), r.pick(NOUNS));
    out.push(`export const ${name} = <T extends object>(values: readonly T[], pick: (v: T) => number): number =>`);
    out.push(`  values.reduce((sum, v) => sum + pick(v), ${r.int(0, 9)});`);
    out.push('');
  }
  return out;
}

function ordinaryModule(r, spec, index, targetLines) {
  const entity = cap(spec.noun) + cap(r.pick(NOUNS));
  const out = [`// ${spec.rel}: ${spec.sub} for ${spec.pkg}`];
  const imports = [];
  const others = index.filter((o) => o.rel !== spec.rel && o.kind === 'module');
  for (const o of r.sample(others, r.int(0, 4))) imports.push(`import { ${o.exported} } from '${relImport(spec.rel, o.rel)}';`);
  out.push(`import type { Logger } from '../../core/logger';`, ...imports, '');
  out.push(...iface(r, entity));
  let i = 0;
  while (out.length < targetLines) {
    const k = r.int(0, 3);
    if (k === 0) out.push(...enumBlock(r, `${entity}Kind${i}`));
    else if (k === 1) out.push(...helpers(r));
    else out.push(...classBlock(r, `${entity}${cap(r.pick(VERBS))}er${i}`, entity));
    i++;
  }
  out.push(`export const ${spec.exported} = (x: ${entity}): string => \`${spec.pkg}:\${Object.keys(x).length}\`;`, '');
  return out.join('\n');
}

function wsModule(r, spec, manifest) {
  const out = [`// ${spec.rel}: a ws client for ${spec.pkg}`, `import WebSocket from 'ws';`, `import { waitForOpen } from '../../core/ws-guards';`, `import type { Logger } from '../../core/logger';`, ''];
  const loops = [];
  const n = r.int(2, 4);
  out.push(`export class ${cap(spec.noun)}Feed {`, `  private ws: WebSocket;`, `  private queue: string[] = [];`, `  constructor(url: string, private readonly log: Logger = console) {`, `    this.ws = new WebSocket(url);`, `  }`, '');
  for (let i = 0; i < n; i++) {
    const shape = r.pick(['unguarded', 'check', 'polling', 'decoy']);
    out.push(`  async flush${i}(batch: string[]): Promise<void> {`);
    if (shape === 'polling') out.push(`    if (!(await waitForOpen(this.ws, ${r.pick([1000, 3000, 5000])}))) return;`);
    const line = out.length + 1;
    out.push(`    for (const item of batch) {`);
    if (shape === 'check') out.push(`      if (this.ws.readyState !== WebSocket.OPEN) break;`);
    if (shape === 'decoy') out.push(`      this.queue.push(item);`);
    else out.push(`      this.ws.send(JSON.stringify({ item, at: ${i} }));`);
    out.push(`    }`, `  }`, '');
    loops.push({ file: spec.rel, line, shape });
  }
  out.push('}', '');
  manifest.wsModules.push({ file: spec.rel, loops });
  return out.join('\n');
}

const WS_GUARDS = `// Bounded wait until a ws client is open (the repository helper the loops call).
import WebSocket from 'ws';

export async function waitForOpen(ws: WebSocket, timeoutMs: number, intervalMs = 10): Promise<boolean> {
  const start = performance.now();
  while (ws.readyState === WebSocket.CONNECTING) {
    if (performance.now() - start > timeoutMs) {
      console.warn('websocket still connecting after', timeoutMs, 'ms');
      return false;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return ws.readyState === WebSocket.OPEN;
}
`;

const LOGGER = `export interface Logger {
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
}
`;

function relImport(fromRel, toRel) {
  let rel = path.posix.relative(path.posix.dirname(fromRel), toRel).replace(/\.ts$/, '');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  return rel;
}

function plan(files, seed, wsShare) {
  const r = new Rng(`${seed}:plan-ts`);
  const specs = [];
  const nWs = Math.round(files * wsShare);
  for (let i = 0; specs.length < files - 2; i++) {
    const pkg = PACKAGES[i % PACKAGES.length];
    const sub = r.pick(SUBS);
    const noun = r.pick(NOUNS);
    const test = r.chance(0.15);
    const rel = test ? `test/${pkg}/${noun}-${i}.test.ts` : `src/${pkg}/${sub}/${noun}-${i}.ts`;
    specs.push({ rel, pkg, sub, noun, kind: 'module', exported: camel('describe', `${noun}${i}`) });
  }
  // Every (1/wsShare)-th module becomes a ws client, spread over the tree.
  const step = nWs > 0 ? Math.floor(specs.length / nWs) : Infinity;
  for (let k = 0; k < nWs; k++) {
    const s = specs[k * step];
    if (s && s.rel.startsWith('src/')) s.kind = 'ws';
  }
  return specs;
}

export function generateTs({ out, files = 5000, seed = 1, wsShare = 0.02, meanLines = 220, quiet = false }) {
  const t0 = performance.now();
  const specs = plan(files, seed, wsShare);
  if (existsSync(out)) {
    if (readdirSync(out).length > 0 && !existsSync(path.join(out, 'bench-manifest.json'))) {
      throw new Error(`${out} exists and is not a generated corpus (no bench-manifest.json): not overwriting it`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(path.join(out, 'src', 'core'), { recursive: true });
  const manifest = { generatorVersion: TS_GENERATOR_VERSION, language: 'typescript', seed, files: specs.length + 2, wsShare, wsModules: [] };
  let bytes = 0;
  let lines = 0;
  const write = (rel, text) => {
    const abs = path.join(out, rel);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
    lines += text.split('\n').length - 1;
  };
  write('src/core/ws-guards.ts', WS_GUARDS);
  write('src/core/logger.ts', LOGGER);
  for (const spec of specs) {
    const r = new Rng(`${seed}:${spec.rel}`);
    const target = r.lognormal ? r.lognormal(meanLines, 0.45, 30, 1200) : meanLines;
    write(spec.rel, spec.kind === 'ws' ? wsModule(r, spec, manifest) : ordinaryModule(r, spec, specs.slice(Math.max(0, specs.indexOf(spec) - 40), specs.indexOf(spec)), target));
  }
  writeFileSync(path.join(out, 'package.json'), `${JSON.stringify({ name: `bench-ts-${seed}`, private: true, type: 'module', dependencies: { ws: '^8.0.0' } }, null, 2)}\n`);
  writeFileSync(path.join(out, 'tsconfig.json'), `${JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', strict: true, noEmit: true }, include: ['src', 'test'] }, null, 2)}\n`);
  manifest.summary = { files: specs.length + 2, bytes, lines, wsModules: manifest.wsModules.length, loops: manifest.wsModules.reduce((n, m) => n + m.loops.length, 0) };
  writeFileSync(path.join(out, 'bench-manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  if (!quiet) {
    console.log(`generated ${manifest.summary.files} .ts files, ${lines.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(1)} MB in ${out} (seed ${seed}; ${manifest.summary.wsModules} ws client modules; ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return manifest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const o = { out: 'bench/.corpus/ts', files: 5000, seed: 1, wsShare: 0.02 };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--out') o.out = v();
    else if (a === '--files') o.files = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--ws-share') o.wsShare = Number(v());
    else {
      console.error(`generate-ts: unknown argument ${a}`);
      process.exit(2);
    }
  }
  generateTs(o);
}
