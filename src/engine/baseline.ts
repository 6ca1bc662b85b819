// The baseline (SPEC §4): `handshake-guard baseline` records today's findings by
// fingerprint; `verify --baseline FILE` then fails only on findings that are not in it,
// and reports the entries nothing matches any more, so that the file can shrink.
// Paths in the file are relative to the file's own directory, so it works from any cwd.
import { readFileSync } from 'node:fs';
import { withRegularFile } from '../text-file.js';
import path from 'node:path';
import { z } from 'zod';
import { RULE_IDS, describeIssue } from '../config/schema.js';
import { UsageError } from '../errors.js';
import type { FileAnalysis, Finding, RuleId } from '../model.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { fingerprintOf, fingerprintParts } from './fingerprint.js';

export const BASELINE_FILE_NAME = '.handshake-guard-baseline.json';
export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  ruleId: RuleId;
  /** Relative to the baseline file's directory, `/`-separated. */
  file: string;
  /** The enclosing function's qualified name (empty for findings about no loop). */
  function: string;
  fingerprint: string;
  /** How many findings share this fingerprint (two identical loops in one function). */
  count: number;
}

export interface Baseline {
  version: typeof BASELINE_VERSION;
  tool: { name: string; version: string };
  findings: BaselineEntry[];
}

const entrySchema = z.strictObject({
  ruleId: z.enum(RULE_IDS),
  file: z.string().min(1),
  function: z.string(),
  fingerprint: z.string().regex(/^[0-9a-f]{16,64}$/),
  count: z.number().int().positive(),
});

const baselineSchema = z.strictObject({
  version: z.literal(BASELINE_VERSION),
  tool: z.object({ name: z.string(), version: z.string() }),
  findings: z.array(entrySchema),
});

/** Where each finding's file sits relative to the baseline's directory. */
function keyed(findings: readonly Finding[], files: readonly FileAnalysis[], cwd: string, baselineDir: string) {
  const byFile = new Map(files.map((f) => [f.file, f]));
  return findings.map((finding) => {
    const file = path.relative(baselineDir, path.resolve(cwd, finding.file)).split(path.sep).join('/');
    const fileLines = byFile.get(finding.file)?.lines;
    return { finding, file, fingerprint: fingerprintOf(finding, file, fileLines), parts: fingerprintParts(finding, fileLines) };
  });
}

/** The baseline of the live (not suppressed) findings, sorted so that the file diffs well. */
export function buildBaseline(input: {
  findings: readonly Finding[];
  files: readonly FileAnalysis[];
  cwd: string;
  baselinePath: string;
}): Baseline {
  const byPrint = new Map<string, BaselineEntry>();
  for (const k of keyed(input.findings.filter((f) => !f.suppressed), input.files, input.cwd, path.dirname(input.baselinePath))) {
    const entry = byPrint.get(k.fingerprint);
    if (entry) entry.count += 1;
    else byPrint.set(k.fingerprint, { ruleId: k.finding.ruleId, file: k.file, function: k.parts.function, fingerprint: k.fingerprint, count: 1 });
  }
  const findings = [...byPrint.values()].sort(
    (a, b) => cmp(a.file, b.file) || cmp(a.function, b.function) || cmp(a.ruleId, b.ruleId) || cmp(a.fingerprint, b.fingerprint),
  );
  return { version: BASELINE_VERSION, tool: { name: TOOL_NAME, version: TOOL_VERSION }, findings };
}

export function renderBaseline(baseline: Baseline): string {
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** Reads and validates a baseline file; any problem is a one-line UsageError naming the file. */
export function readBaseline(file: string, displayName = file): Baseline {
  let text: string | 'not-regular';
  try {
    // Opened without blocking: a FIFO named here must not hang the run.
    text = withRegularFile(file, (fd) => readFileSync(fd, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`--baseline ${displayName}: ${code === 'ENOENT' ? 'no such file (write one with `handshake-guard baseline`)' : `cannot read it (${code ?? 'error'})`}`);
  }
  if (text === 'not-regular') throw new UsageError(`--baseline ${displayName}: not a regular file`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--baseline ${displayName}: not valid JSON (${(e as Error).message.split('\n')[0]})`);
  }
  const result = baselineSchema.safeParse(raw, { reportInput: true });
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`--baseline ${displayName}: ${issue ? describeIssue(issue, raw) : 'invalid'}`);
  }
  return result.data as Baseline;
}

export interface BaselineOutcome {
  /** How many findings the baseline covered (now marked suppressed and baselined). */
  matched: number;
  /** Entries of the analysed files that no finding matched any more, with the unmatched count. */
  stale: BaselineEntry[];
}

/**
 * Marks the live findings the baseline records as suppressed (`baselined`), at most `count`
 * per fingerprint. Stale entries are only those of files this run analysed: a diff-aware run
 * says nothing about the rest.
 */
export function applyBaseline(input: {
  baseline: Baseline;
  baselinePath: string;
  findings: Finding[];
  files: readonly FileAnalysis[];
  cwd: string;
}): BaselineOutcome {
  const baselineDir = path.dirname(input.baselinePath);
  const remaining = new Map(input.baseline.findings.map((e) => [e.fingerprint, e.count]));
  let matched = 0;
  for (const k of keyed(input.findings.filter((f) => !f.suppressed), input.files, input.cwd, baselineDir)) {
    const left = remaining.get(k.fingerprint) ?? 0;
    if (left <= 0) continue;
    remaining.set(k.fingerprint, left - 1);
    k.finding.suppressed = true;
    k.finding.baselined = true;
    matched += 1;
  }
  const analysed = new Set(
    input.files.filter((f) => f.skipped === null).map((f) => path.relative(baselineDir, path.resolve(input.cwd, f.file)).split(path.sep).join('/')),
  );
  const stale = input.baseline.findings
    .filter((e) => analysed.has(e.file) && (remaining.get(e.fingerprint) ?? 0) > 0)
    .map((e) => ({ ...e, count: remaining.get(e.fingerprint) ?? 0 }));
  return { matched, stale };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
