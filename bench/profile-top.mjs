#!/usr/bin/env node
// Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self
// time, and self time per source file, so a profile can be read without DevTools.
//
//   node bench/profile-top.mjs <file.cpuprofile> [--top 15]

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function shortUrl(url) {
  if (!url) return '';
  let p = url.startsWith('file://') ? fileURLToPath(url) : url;
  if (p.startsWith(REPO + path.sep)) p = path.relative(REPO, p);
  return p.replace(/^.*node_modules\//, 'nm/');
}

const keyOf = (cf) => `${cf.functionName || '(anonymous)'}\t${shortUrl(cf.url) || `(${cf.functionName || 'native'})`}${cf.url ? `:${cf.lineNumber + 1}` : ''}`;

/**
 * Self time per function and per file, and inclusive time (on the stack at all) of the
 * project's own functions (dist/, src/, rules/), in ms, largest first.
 */
export function summarise(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id → µs
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time since the previous sample: it belongs to sample i-1's node,
    // but V8 DevTools attributes it to sample i; the difference is one sampling interval.
    self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0));
  }
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  for (const [id, us] of self) {
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const cf = byId.get(cur).callFrame;
      const file = shortUrl(cf.url);
      if (!/^(dist|src|rules)\//.test(file)) continue;
      const k = keyOf(cf);
      if (seen.has(k)) continue; // recursion counts once
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + us);
    }
  }
  const fns = new Map();
  const files = new Map();
  for (const [id, us] of self) {
    const n = byId.get(id);
    const cf = n.callFrame;
    const file = shortUrl(cf.url) || `(${cf.functionName || 'native'})`;
    const key = keyOf(cf);
    fns.set(key, (fns.get(key) ?? 0) + us);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const rows = (m) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, us]) => ({ key: k, ms: us / 1000, share: total ? us / total : 0 }));
  return { totalMs: total / 1000, functions: rows(fns), files: rows(files), projectInclusive: rows(inclusive) };
}

export function formatSummary(s, top = 15) {
  const out = [];
  out.push(`sampled ${(s.totalMs / 1000).toFixed(2)} s`);
  out.push('');
  out.push(`top ${top} functions by self time:`);
  for (const r of s.functions.slice(0, top)) {
    const [name, where] = r.key.split('\t');
    out.push(`  ${r.ms.toFixed(0).padStart(7)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${name}  ${where}`);
  }
  out.push('');
  out.push(`top ${top} of the project's functions by inclusive time (self + callees):`);
  for (const r of s.projectInclusive.slice(0, top)) {
    const [name, where] = r.key.split('\t');
    out.push(`  ${r.ms.toFixed(0).padStart(7)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${name}  ${where}`);
  }
  out.push('');
  out.push(`top ${Math.min(top, 10)} files by self time:`);
  for (const r of s.files.slice(0, Math.min(top, 10))) {
    out.push(`  ${r.ms.toFixed(0).padStart(7)} ms ${(r.share * 100).toFixed(1).padStart(5)}%  ${r.key}`);
  }
  return out.join('\n');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  const topIdx = process.argv.indexOf('--top');
  const top = topIdx > 0 ? Number(process.argv[topIdx + 1]) : 15;
  if (!file) {
    console.error('usage: node bench/profile-top.mjs <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  console.log(formatSummary(summarise(JSON.parse(readFileSync(file, 'utf8'))), top));
}
