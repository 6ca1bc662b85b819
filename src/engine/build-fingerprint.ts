// The tool build a cached result came from (issue #8): a hash of every module of the built
// tool (dist/src, or src/ when running from sources), the parsers' package versions and Node's
// version, so that a rebuilt or upgraded tool never reads a result an older build computed.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TOOL_VERSION } from '../version.js';

const PARSERS = ['web-tree-sitter', 'tree-sitter-python', 'ts-morph'];
let override: string | null = null;
let computed: string | null = null;

function hashTree(dir: string, h: ReturnType<typeof createHash>): void {
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) hashTree(p, h);
    else if (/\.(?:js|ts|mjs|cjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) h.update(e.name).update('\0').update(readFileSync(p));
  }
}

function parserVersions(): string {
  const require = createRequire(import.meta.url);
  return PARSERS.map((name) => {
    try {
      return `${name}@${(require(`${name}/package.json`) as { version?: string }).version ?? '?'}`;
    } catch {
      return `${name}@-`;
    }
  }).join(',');
}

/** Every module of the tool's source tree, hashed (~1.2 MB, a few ms); computed once per process. */
export function buildFingerprint(): string {
  if (override !== null) return override;
  if (computed !== null) return computed;
  const h = createHash('sha1').update(`${TOOL_VERSION}\0${process.version}\0${parserVersions()}\0`);
  // This module sits in <tool>/src/engine (or dist/src/engine): the whole src tree is the analysis code.
  hashTree(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), h);
  computed = h.digest('base64url');
  return computed;
}

/** Tests only: pretend to be another build (null: back to the real one). */
export function setBuildFingerprintForTests(value: string | null): void {
  override = value;
}
