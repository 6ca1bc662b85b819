// fix → edits → re-parse and re-scan → atomic write (SPEC §8). A file whose result does not
// pass the re-scan is left untouched and reported.
import { existsSync, readFileSync } from 'node:fs';
import { run, type RunOptions, type RunResult } from '../engine/run.js';
import { COVERAGE_RULES } from '../engine/findings.js';
import { consistencyGroups } from '../engine/groups.js';
import { decodeSource } from '../engine/read.js';
import { buildModule } from '../languages/python/module.js';
import { loadParser, parseTolerant } from '../languages/python/parser.js';
import type { FileAnalysis, Finding, MessageLoop } from '../model.js';
import { applyEdits } from './edits.js';
import { helperArgsAfterConnection } from './helper-call.js';
import { boundedTiming, planFile, type LoopOutcome, type TargetGuard } from './plan.js';
import { majority } from '../guard-majority.js';
import { detectStyle } from './text-style.js';
import { differsFromTarget, tsTargetFor } from './ts-target.js';
import { planScriptFile } from './typescript.js';
import { typeCheck } from './ts-typecheck.js';
import { configResolver } from '../languages/typescript/tsconfig.js';
import { ChangedOnDiskError, writeAtomic } from '../atomic-write.js';
import { ioReason, UsageError } from '../errors.js';
import { pollsOf, worstCaseSeconds } from '../wait-bound.js';

export interface FixOptions extends RunOptions {
  write: boolean;
  upgrade: boolean;
  style?: 'inline' | 'helper';
  /** Unset: each language's default (Python per-message; TS/JS see ts-sites.ts). */
  placement?: 'per-message' | 'before-loop';
  timeout?: number;
  interval?: number;
  /** Aborted (SIGINT/SIGTERM during `fix --write`): no further file is written; each file is old or new. */
  signal?: AbortSignal;
}

export interface FileFix {
  file: string;
  absPath: string;
  before: string;
  /** The fixed text, or null when the file is left as it is. */
  after: string | null;
  outcomes: LoopOutcome[];
  /** Why the whole file was left untouched (the re-scan refused the result, or it changed on disk). */
  refused: string | null;
  written: boolean;
}

export interface FixResult {
  files: FileFix[];
  scan: RunResult;
}

const UPGRADE_RULES = new Set(['HG002', 'HG003', 'HG004', 'HG005', 'HG006', 'HG007', 'HG008', 'HG009']);

/** A reused helper's arguments after the connection, from the reference loop's guard line. */
function reuseOf(ref: MessageLoop | null, text: string | null): TargetGuard['reuseHelper'] {
  const args = ref?.guard.helper && text ? helperArgsAfterConnection(ref, text) : null;
  return ref?.guard.helper && args !== null ? { name: ref.guard.helper, argsAfterConnection: args } : null;
}

function targetFor(groupLoops: MessageLoop[], opts: FixOptions, scan: RunResult, sourceOf: (file: string) => string | null): TargetGuard {
  const cfg = scan.config;
  const ref = majority(groupLoops);
  const f = ref?.fingerprint ?? null;
  const { timeoutSeconds: timeout, intervalSeconds: interval } = boundedTiming(f, opts, cfg);
  const states = f && f.states.length ? [...f.states] : ['application_state', 'client_state'];
  const helperRefs = groupLoops.filter((l) => l.guard.kind === 'polling' && l.guard.helper);
  const inlineRefs = groupLoops.filter((l) => l.guard.kind === 'polling' && !l.guard.helper);
  const fileStyle = cfg.defaults.style === 'auto' ? (helperRefs.length > inlineRefs.length ? 'helper' : 'inline') : cfg.defaults.style;
  const style = opts.style ?? fileStyle;
  const reuse = style === 'helper' && !opts.upgrade && ref?.loop.guard.helper ? reuseOf(ref.loop, sourceOf(ref.loop.file)) : null;
  const canonical: TargetGuard = {
    timeoutSeconds: timeout,
    intervalSeconds: interval,
    states,
    clock: 'monotonic',
    sleep: 'async',
    onTimeout: 'recheck-break',
    logs: true,
    exitsOnTerminalState: true,
    style,
    reuseHelper: reuse,
  };
  if (opts.upgrade || !f) return canonical;
  // Follow the group exactly, so that the module passes consistency; --upgrade fixes them all.
  const onTimeout = f.onTimeout === 'none' || f.onTimeout === 'continue' ? 'recheck-break' : f.onTimeout;
  return {
    ...canonical,
    timeoutSeconds: opts.timeout ?? f.timeoutSeconds ?? timeout,
    intervalSeconds: opts.interval ?? f.intervalSeconds ?? interval,
    clock: f.clock ?? 'monotonic',
    sleep: f.sleep ?? 'async',
    onTimeout,
    logs: f.logsOnTimeout,
    exitsOnTerminalState: f.exitsOnTerminalState,
  };
}

function loopKey(loop: MessageLoop, all: MessageLoop[]): string {
  const same = all.filter((l) => l.file === loop.file && l.function === loop.function);
  return `${loop.function}#${same.indexOf(loop)}`;
}

function liveFindings(findings: Finding[], file: string, ids: string[]): Finding[] {
  return findings.filter((f) => f.file === file && !f.suppressed && ids.includes(f.ruleId));
}

/** Checks a fixed text by scanning it as if it were on disk; returns why it is refused, or null. */
/**
 * One re-scan of every fixed file with its fixed text (a run per file cost ~30 ms of set-up each:
 * 1,500 files took 45 s). The fixed text is given, so neither --staged nor --base has anything left
 * to choose; the baseline stays, so that the findings it covers count alike before and after.
 */
async function rescan(opts: FixOptions, files: readonly FileFix[]): Promise<RunResult> {
  const { staged: _staged, base: _base, ...same } = opts;
  return run({ ...same, paths: files.map((f) => f.file), sourceOverrides: new Map(files.map((f) => [f.absPath, f.after as string])) });
}

/** Why the re-scan refuses a file's fixed text, or null: the fixed loops must pass, and no syntax error, HG002, HG010 or HG011 may be added. */
function judge(after: RunResult, file: FileFix, fixedKeys: Set<string>, before: RunResult): string | null {
  const a = after.files.find((f) => f.absPath === file.absPath);
  const b = before.files.find((f) => f.absPath === file.absPath);
  if (!a || !b) return 'the fixed file could not be re-scanned';
  if (a.syntax.length > b.syntax.length) return `the result has a syntax error (${a.syntax[0]?.message ?? ''}, line ${a.syntax[0]?.position.line ?? '?'})`;
  const afterLoops = after.loops.filter((l) => l.file === a.file);
  for (const loop of afterLoops) {
    const key = loopKey(loop, afterLoops);
    if (!fixedKeys.has(key)) continue;
    const bad = after.findings.filter((f) => f.loop === loop && !f.suppressed && (f.ruleId === 'HG001' || f.ruleId === 'HG003' || (f.severity === 'error' && UPGRADE_RULES.has(f.ruleId))));
    if (bad.length) return `${loop.function} still fails after the fix: ${bad[0]?.ruleId} ${bad[0]?.message ?? ''}`;
  }
  for (const id of ['HG002', 'HG010', 'HG011']) {
    const nb = liveFindings(before.findings, b.file, [id]).length;
    const na = liveFindings(after.findings, a.file, [id]).length;
    if (na > nb) return `the result adds ${id} findings: ${liveFindings(after.findings, a.file, [id])[0]?.message ?? ''}`;
  }
  return null;
}

function encodingOf(bytes: Buffer): { bom: boolean; encode: ((text: string) => Buffer) | string } {
  const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  const head = bytes.subarray(0, 400).toString('latin1').split(/\r?\n|\r/, 2).join('\n');
  const coding = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/m.exec(head)?.[1]?.toLowerCase() ?? 'utf-8';
  if (/^utf[-_]?8/.test(coding)) return { bom, encode: (t) => Buffer.concat([bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(t, 'utf8')]) };
  if (/^(latin[-_]?1|iso[-_]?8859[-_]?1|l1)$/.test(coding)) return { bom, encode: (t) => Buffer.from(t, 'latin1') };
  return { bom, encode: `files encoded as ${coding} are not rewritten` };
}

/**
 * Under --staged: what to write to the working tree for the fixed staged bytes `next`, and the
 * bytes it must still hold then; null when it does not hold the staged content (unstaged changes).
 * With core.autocrlf or `eol=crlf` the working tree holds the staged LF text with CRLF line ends:
 * the fixed text goes there with CRLF too (git's own conversion is not run: a filter driver is a
 * program from the repository's config).
 */
function checkoutForm(absPath: string, staged: Buffer, next: Buffer): { data: Buffer; expected: Buffer } | null {
  let wt: Buffer;
  try {
    wt = readFileSync(absPath);
  } catch {
    return null;
  }
  if (wt.equals(staged)) return { data: next, expected: wt };
  const crlf = (b: Buffer): Buffer => Buffer.from(b.toString('latin1').replace(/\n/g, '\r\n'), 'latin1');
  if (!staged.includes(0x0d) && !next.includes(0x0d) && crlf(staged).equals(wt)) return { data: crlf(next), expected: wt };
  return null;
}

/**
 * `--timeout`/`--interval` that every guard written with them would be reported for — outside the
 * configured bounds (HG008), too many polls, or a worst case over the budget (Performance row) —
 * are refused before anything is planned.
 */
function refuseUnfitTiming(opts: FixOptions, config: RunResult['config']): void {
  const { bounds, budgetSeconds: budget, defaults } = config;
  const outside = (value: number | undefined, range: { min: number; max: number }, flag: string): void => {
    if (value !== undefined && (value < range.min || value > range.max)) {
      throw new UsageError(`${flag} ${value} is outside the configured bounds (${range.min}–${range.max} s): every guard it writes would be reported by HG008; use a value within them or change \`bounds\` in the configuration`);
    }
  };
  outside(opts.timeout, bounds.timeoutSeconds, '--timeout');
  outside(opts.interval, bounds.intervalSeconds, '--interval');
  if (opts.timeout === undefined && opts.interval === undefined) return;
  const timeout = opts.timeout ?? defaults.timeoutSeconds;
  const interval = opts.interval ?? defaults.intervalSeconds;
  const polls = pollsOf(timeout, interval);
  if (opts.timeout !== undefined && opts.interval !== undefined && polls > bounds.maxPolls) {
    throw new UsageError(`--timeout ${timeout} with --interval ${interval} polls ${polls} times, more than the configured ${bounds.maxPolls}: every guard it writes would be reported by HG008; use a longer --interval`);
  }
  const worst = worstCaseSeconds(timeout, interval);
  if (opts.timeout !== undefined && worst > budget) {
    const why = worst > timeout ? ` (its ${interval} s sleeps end the wait at ${Number(worst.toPrecision(12))} s)` : '';
    throw new UsageError(`--timeout ${timeout} is above the performance budget (${budget} s)${why}: every guard it writes would fail the Performance row; use a smaller --timeout or raise \`budget\` in the configuration`);
  }
}

export async function runFix(opts: FixOptions): Promise<FixResult> {
  const scan = await run(opts);
  refuseUnfitTiming(opts, scan.config);
  // Loops that fail the policy (a live HG001/HG003, or HG012/HG013, which report their loops
  // alone) get a guard or the reason they cannot; other findings need --upgrade.
  const failsPolicy = (l: MessageLoop): boolean => scan.findings.some((f) => f.loop === l && !f.suppressed && COVERAGE_RULES.includes(f.ruleId));
  // What the scan judged: the working tree, or under --staged the index (edits apply to it, and
  // the working tree is written only where it holds the same bytes).
  const stagedBytes = scan.stagedBytes;
  const bytesOf = (absPath: string): Buffer | null => (stagedBytes ? stagedBytes(absPath) : readFileSync(absPath));
  const sources = new Map<string, string>();
  const sourceOf = (file: string): string | null => {
    const f = scan.files.find((x) => x.file === file);
    if (!f) return null;
    if (!sources.has(f.absPath)) {
      const bytes = bytesOf(f.absPath);
      const r = bytes === null ? null : decodeSource(bytes);
      if (r?.ok) sources.set(f.absPath, r.text);
    }
    return sources.get(f.absPath) ?? null;
  };
  // The groups the consistency row checks (per language family under `repository`); with
  // `none`, a fix still follows its own file.
  const groups = consistencyGroups(scan.contextLoops ?? scan.loops, scan.config.consistency === 'repository' ? 'repository' : 'file');
  const groupOf = (loop: MessageLoop): MessageLoop[] => groups.find((g) => g.loops.includes(loop))?.loops ?? [loop];
  const parser = await loadParser();
  // Each file is checked under the tsconfig.json the scan's type checker uses for it.
  const checks = typeCheck(configResolver(scan.tsconfigChoice.explicit, scan.tsconfigChoice.stopFor));
  const out: FileFix[] = [];
  const planned: { fa: FileAnalysis; fix: FileFix; bytes: Buffer; fixedKeys: Set<string>; encode: (text: string) => Buffer }[] = [];
  for (const fa of scan.files) {
    // An unchanged caller of a changed helper: the helper is what to fix.
    if (fa.skipped || scan.dependents?.has(fa.absPath) === true) continue;
    const loops = fa.loops;
    const failing = loops.filter((l) => failsPolicy(l) && l.guard.kind !== 'framework');
    const flagged = (l: MessageLoop): boolean => scan.findings.some((f) => f.loop === l && !f.suppressed && UPGRADE_RULES.has(f.ruleId));
    let upgrade: MessageLoop[] = [];
    const tsTarget = fa.language === 'python' || !loops.length ? null : tsTargetFor(groupOf(loops[0] as MessageLoop), opts, scan.config, sourceOf);
    if (opts.upgrade && tsTarget) {
      upgrade = loops.filter((l) => l.guard.kind === 'polling' && l.guard.fingerprint && (flagged(l) || differsFromTarget(l.guard.fingerprint, tsTarget)));
    }
    if (opts.upgrade && loops.length && fa.language === 'python') {
      const target = targetFor(groupOf(loops[0] as MessageLoop), opts, scan, sourceOf);
      upgrade = loops.filter((l) => {
        if (l.guard.kind !== 'polling' || !l.guard.fingerprint) return false;
        const f = l.guard.fingerprint;
        const differs =
          f.timeoutSeconds !== target.timeoutSeconds || f.intervalSeconds !== target.intervalSeconds || f.clock !== 'monotonic' ||
          !f.exitsOnTerminalState || !f.logsOnTimeout || f.sleep !== 'async' || f.onTimeout !== 'recheck-break';
        return flagged(l) || differs;
      });
    }
    if (failing.length === 0 && upgrade.length === 0) continue;
    const bytes = bytesOf(fa.absPath);
    if (bytes === null) continue;
    const decoded = decodeSource(bytes);
    if (!decoded.ok) continue;
    const text = decoded.text;
    const fix: FileFix = { file: fa.file, absPath: fa.absPath, before: text, after: null, outcomes: [], refused: null, written: false };
    out.push(fix);
    if (tsTarget) {
      // TS/JS: the readyState guard for each failing loop, the target block for each upgrade (src/fix/typescript.ts).
      const plan = await planScriptFile({ absPath: fa.absPath, file: fa.file, placement: opts.placement ?? null, text, failing, upgrade, target: tsTarget, issues: fa.issues ?? [], typeCheck: checks });
      fix.outcomes = plan.outcomes;
      if (plan.edits.length) fix.after = applyEdits(text, plan.edits);
    } else {
      const group = groupOf(loops[0] as MessageLoop);
      const groupHasGuards = majority(group) !== null;
      const { tree, text: parsedText } = parseTolerant(parser, text);
      try {
        const module = buildModule(fa.file, fa.absPath, parsedText, tree.rootNode);
        module.source = text; // edits apply to the real text; the tolerant parse keeps every offset
        const plan = planFile({
          module,
          style: detectStyle(text),
          failing,
          upgrade,
          target: targetFor(group, opts, scan, sourceOf),
          placement: opts.placement ?? 'per-message',
          guardHelpers: scan.config.guardHelpers,
          groupHasGuards,
          freeOnTimeout: !groupHasGuards && !opts.upgrade && scan.config.consistency !== 'repository',
        });
        fix.outcomes = plan.outcomes;
        if (plan.edits.length) fix.after = applyEdits(text, plan.edits);
      } finally {
        tree.delete();
      }
    }
    if (fix.after === null || fix.after === text) {
      fix.after = null;
      continue;
    }
    const fixedKeys = new Set(fix.outcomes.filter((o) => o.skipped === null).map((o) => loopKey(o.loop, loops)));
    // The re-scan reads a path: a staged file deleted from the working tree has none to read or write.
    const gone = stagedBytes && !existsSync(fa.absPath) ? 'deleted in the working tree (its staged content is still to be committed): restore or unstage it' : null;
    const enc = encodingOf(bytes);
    const early = gone ?? (typeof enc.encode === 'string' ? enc.encode : null);
    if (early) {
      fix.refused = early;
      fix.after = null;
      continue;
    }
    planned.push({ fa, fix, bytes, fixedKeys, encode: enc.encode as (text: string) => Buffer });
  }
  // The fixed files re-scanned together (as they will be on disk); a file refused leaves the
  // others to be re-scanned without it, as its text stays the old one.
  let pending = planned;
  while (pending.length > 0 && !(opts.write && opts.signal?.aborted)) {
    const after = await rescan(opts, pending.map((p) => p.fix));
    const refused = pending.filter((p) => {
      const why = judge(after, p.fix, p.fixedKeys, scan);
      if (why) {
        p.fix.refused = why;
        p.fix.after = null;
      }
      return why !== null;
    });
    if (refused.length === 0) break;
    pending = pending.filter((p) => !refused.includes(p));
  }
  for (const { fa, fix, bytes, encode } of planned) {
    if (fix.after === null) continue;
    // Writes are synchronous: a turn of the event loop between two files lets SIGINT/SIGTERM
    // be heard, so that an interrupted run stops between files (safe-write.test.ts).
    if (opts.write) await new Promise((resolve) => setImmediate(resolve));
    if (opts.write && opts.signal?.aborted) {
      fix.refused = 'interrupted before this file was written';
    } else if (opts.write) {
      // Under --staged the fixed text is the index's: written only where the working tree holds it.
      const target = stagedBytes ? checkoutForm(fa.absPath, bytes, encode(fix.after)) : { data: encode(fix.after), expected: bytes };
      if (target === null) {
        fix.refused = 'the working tree differs from the staged content (unstaged changes); stage or stash them, then run again';
        continue;
      }
      try {
        writeAtomic(fa.absPath, target.data, target.expected);
        fix.written = true;
      } catch (e) {
        fix.refused = e instanceof ChangedOnDiskError ? 'the file changed on disk since it was read; not overwritten' : `could not write: ${ioReason(e)}`;
      }
    }
  }
  return { files: out, scan };
}
