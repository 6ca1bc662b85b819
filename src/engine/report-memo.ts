// The whole report of the last scan, reused when nothing it rests on changed (issue #8): a
// re-scan of an unchanged tree then costs the walk, a stat per file and the check of a few
// facts — no cache shard, no rules, no table, no git lookup of the breaking row.
//
// Beside a shard (cache.ts) lies at most one memo, written by a full run whose every file was
// reused or stored by the result cache (or refused as too large or undecodable) and vouched for
// by a stat that is not racy (stat-index.ts). It is reused when:
// - its key matches: the shard's salt (tool build, resolved configuration, options), the
//   repository's root and HEAD commit (the breaking row's base), the walk's files, notes and
//   symlinks, --python-version and the roots of scanned paths outside the repository, the
//   --baseline file's path and content;
// - every file has the stat it had (size, mtime, ctime, inode, device: its content with it);
// - every fact about other paths that the results rest on still holds (deps.ts);
// - every file a target version was looked for in has the content (or absence) it had.
// Runs that read more than that never use one: --staged/--base, --python, `fix`'s re-scans.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { hash } from 'node:crypto';
import path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { FileAnalysis, Finding, MessageLoop, Report } from '../model.js';
import type { BaselineOutcome } from './baseline.js';
import { contentHash, type Fact, type FactProbe } from './deps.js';
import { bareCopier, isBare } from './bare-result.js';
import { withLazyLines } from './lazy-lines.js';
import { writePrivateFile } from './private-file.js';
import { stampOf } from './stamp.js';

const FORMAT = 1;

/** What a run returns that the memo keeps (the rest is recomputed: configuration, root, cache stats). */
export interface Remembered {
  report: Report;
  findings: Finding[];
  files: FileAnalysis[];
  loops: MessageLoop[];
  notes: string[];
  baseline: (BaselineOutcome & { file: string }) | null;
  /** How many files the result cache reused or stored (the hits a reuse reports). */
  cached: number;
}

interface Memo {
  format: number;
  key: string;
  /** A hash of every file's stat key, in the order of the key's file list. */
  stamps: string;
  /** Facts about paths other than the files (deps.ts). */
  facts: Fact[];
  /** Other files read whole (where the targets were looked for): content hash, null when there was none. */
  sources: [file: string, hash: string | null][];
  /** The v8-serialised Stored, decoded only once everything else matched. */
  payload: Uint8Array;
}

/** A file the walk found, as the memo's key lists them. */
export interface Walked {
  absPath: string;
  relPath: string;
}

/**
 * Remembered as stored: a file with nothing in it (most of a large tree) is [its index in the
 * walk's list, its template's index]: the rest of it, shared by many files.
 */
type Stored = Omit<Remembered, 'files'> & { files: (FileAnalysis | [number, number])[]; templates: Record<string, unknown>[] };

/** The memo beside a shard. */
export function memoFile(shard: string): string {
  return shard.replace(/\.bin$/, '.report.bin');
}

/** The memo's key: a hash of everything a run's report depends on besides file contents and facts. */
export function memoKey(parts: unknown): string {
  return hash('sha1', JSON.stringify(parts), 'base64url');
}

function isMemo(x: unknown): x is Memo {
  if (typeof x !== 'object' || x === null) return false;
  const m = x as Partial<Memo>;
  return m.format === FORMAT && typeof m.key === 'string' && typeof m.stamps === 'string' && Array.isArray(m.facts) && Array.isArray(m.sources) && m.payload instanceof Uint8Array;
}

function stampsHash(stamps: readonly string[]): string {
  return hash('sha1', stamps.join('\n'), 'base64url');
}

/** Every file's stat now, as stamps (null: one is gone or no longer a file). */
function statsNow(files: readonly Walked[]): string | null {
  const stamps: string[] = [];
  for (const f of files) {
    let st;
    try {
      st = statSync(f.absPath, { throwIfNoEntry: false });
    } catch {
      return null;
    }
    if (!st?.isFile()) return null;
    stamps.push(stampOf(st).key);
  }
  return stampsHash(stamps);
}

/** What a memo is checked against: the walk's files (in the key's order), the facts, the other sources. */
export interface Present {
  files: readonly Walked[];
  probe: FactProbe;
  /** An other source's text now (null: none). */
  sourceText: (file: string) => string | null;
  /** A scanned file's text, when a reporter asks for a reused result's lines. */
  read: (absPath: string) => string | null;
}

function sourcesHold(sources: Memo['sources'], text: (file: string) => string | null): boolean {
  for (const [file, was] of sources) {
    const now = text(file);
    if ((now === null ? null : contentHash(now)) !== was) return false;
  }
  return true;
}

/** The remembered run when the memo's key, every file's stat, every fact and every other source still match; else null. */
export function recall(file: string, key: string, present: Present): Remembered | null {
  const { files, probe, read } = present;
  let memo: unknown;
  try {
    memo = deserialize(readFileSync(file));
  } catch {
    return null;
  }
  if (!isMemo(memo) || memo.key !== key) return null;
  try {
    if (statsNow(files) !== memo.stamps || !probe.holds(memo.facts) || !sourcesHold(memo.sources, present.sourceText)) return null;
    const stored = deserialize(memo.payload) as Stored;
    const { templates, ...rest } = stored;
    const copiers = templates.map(bareCopier);
    const analyses = stored.files.map((f) => {
      if (!Array.isArray(f)) return f;
      const [at, t] = f;
      const walked = files[at] as Walked;
      return (copiers[t] as ReturnType<typeof bareCopier>)({ file: walked.relPath, absPath: walked.absPath });
    });
    // Lines are split from the text when a reporter asks (code frames, SARIF snippets).
    for (const f of analyses) {
      if (f.skipped === null) withLazyLines(f, () => read(f.absPath) ?? '');
      else f.lines = [];
    }
    return { ...rest, files: analyses };
  } catch {
    // A damaged memo is no memo: the full run replaces it.
    return null;
  }
}

/** The walked directory whose listing alone decides a fact, or null. */
function byListing([kind, p]: Fact, probe: FactProbe): string | null {
  if (kind === 'K') return p;
  if (kind === 'k') return path.dirname(p);
  // What a path is, as its directory's (or a walked ancestor's) listing says.
  if (kind === 'f') return probe.listingFor(p);
  // Whether it exists: decided by a listing only when an ancestor lacks the way down (a FIFO
  // is in no listing the probe keeps: its own directory's answer is the file system's).
  const decides = kind === 'e' ? probe.listingFor(p) : null;
  return decides !== path.dirname(p) ? decides : null;
}

/**
 * The facts a memo keeps of those a run's results rest on: none about the files themselves
 * (their stamps vouch for their content), and a walked directory's names ('k', 'K', 'f') as
 * the hash of its whole listing — one comparison instead of every name looked up in it.
 */
export function factsBeyond(facts: readonly Fact[], files: readonly Walked[], listings: ReadonlyMap<string, unknown>, probe: FactProbe): Fact[] {
  const names = new Set(files.map((f) => f.absPath));
  const listed = new Set<string>();
  const out: Fact[] = [];
  for (const f of facts) {
    const [kind, p] = f;
    if ((kind === 'r' || kind === 'p') && names.has(p)) continue;
    const dir = byListing(f, probe);
    if (dir !== null && listings.has(dir)) {
      if (!listed.has(dir)) out.push(['d', dir, probe.observe('d', dir)]);
      listed.add(dir);
    } else out.push(f);
  }
  return out;
}

/** Writes the memo (whole or not at all); returns why it could not, or null. */
export function remember(file: string, key: string, inputs: { files: readonly Walked[]; stamps: string[]; facts: Fact[]; sources: ReadonlyMap<string, string | null> }, run: Remembered): string | null {
  const { files, stamps, facts } = inputs;
  const at = new Map(files.map((f, i) => [f.absPath, i]));
  const templates: Record<string, unknown>[] = [];
  const templateAt = new Map<string, number>();
  // Lines are not kept: a reuse reads them again on demand (the rest pattern leaves the getter uncalled).
  const stored = run.files.map(({ lines: _lines, ...rest }): FileAnalysis | [number, number] => {
    const i = at.get(rest.absPath);
    if (i === undefined || files[i]?.relPath !== rest.file || !isBare(rest as FileAnalysis)) return rest as FileAnalysis;
    const { file: _file, absPath: _absPath, ...template } = rest;
    const shape = JSON.stringify(template);
    let t = templateAt.get(shape);
    if (t === undefined) {
      t = templates.push(template) - 1;
      templateAt.set(shape, t);
    }
    return [i, t];
  });
  const payload: Stored = { ...run, files: stored, templates };
  const memo: Memo = { format: FORMAT, key, stamps: stampsHash(stamps), facts, sources: [...inputs.sources], payload: serialize(payload) };
  return writePrivateFile(file, serialize(memo));
}

/** Removes a memo that no longer describes the tree (the next run need not read and reject it). */
export function forget(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // A directory that refuses us: the key check rejects the memo anyway.
  }
}
