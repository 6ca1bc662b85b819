// Guard Coverage: every message loop meets the policy (HG001, HG003; for TS/JS loops whose send or
// wait HG012/HG013 reports instead — a Cloudflare server end not accepted yet, a Deno socket before
// the upgrade response —, those: such a loop is not guarded either).
import { COVERAGE_RULES } from '../engine/findings.js';
import { isAnalysisFailure } from '../engine/skipped.js';
import type { CheckResult, CheckStatus, Finding, MessageLoop } from '../model.js';
import type { CheckInput } from './input.js';
import { listed, plural, result, statusOf, where } from './support.js';

const PLATFORM_LABEL: Readonly<Record<string, string>> = { HG012: 'used before accept(): HG012', HG013: 'before the Deno upgrade response: HG013' };

function missingLabel(loop: MessageLoop, findings: readonly Finding[]): string {
  const platform = findings.find((f) => f.loop === loop && PLATFORM_LABEL[f.ruleId] !== undefined);
  const kind = platform ? PLATFORM_LABEL[platform.ruleId] : loop.guard.kind === 'check' ? 'weak check' : loop.guard.kind === 'unbounded' ? 'unbounded wait' : 'no guard';
  return `${where(loop)} (${kind})`;
}

export function checkCoverage(input: CheckInput): CheckResult {
  const loops = input.loops;
  // A file whose analysis threw may hold any loop: the row cannot vouch for it (seen: an import
  // cycle overflowed the stack, and the file's unguarded loop vanished from a passing table).
  const failed = input.files.filter((f) => isAnalysisFailure(f.skipped));
  const unless = (status: CheckStatus): CheckStatus => (failed.length > 0 ? 'fail' : status);
  const unknown = failed.length > 0 ? `; loops unknown in ${plural(failed.length, 'file')} whose analysis failed (a bug in handshake-guard): ${listed(failed.map((f) => `${f.file} (${f.skipped})`), 3)}` : '';
  if (loops.length === 0) {
    const n = input.files.filter((f) => !f.skipped).length;
    return result('coverage', unless('skip'), `no message loops found in ${plural(n, 'file')}${unknown}`);
  }
  const findings = input.findings.filter((f) => COVERAGE_RULES.includes(f.ruleId) && (f.loop !== null || f.ruleId === 'HG001' || f.ruleId === 'HG003'));
  const failing = new Set<MessageLoop>();
  const suppressed = new Set<MessageLoop>();
  for (const f of findings) if (f.loop) (f.suppressed ? suppressed : failing).add(f.loop);
  for (const l of failing) suppressed.delete(l);
  // Loops only a rule that is turned off would report: not guarded, and not checked either.
  const unchecked = loops.filter((l) => input.unguarded.has(l) && !failing.has(l) && !suppressed.has(l)).length;
  const off = (['HG001', 'HG003'] as const).filter((r) => input.disabled.has(r));
  const guarded = loops.length - failing.size - suppressed.size - unchecked;
  const framework = loops.filter((l) => l.guard.kind === 'framework').length;
  const extra = [
    framework ? `${framework} framework-guaranteed` : '',
    suppressed.size ? `${suppressed.size} suppressed` : '',
    unchecked ? `${unchecked} not checked: ${off.join(' and ')} turned off in the configuration` : '',
  ].filter(Boolean);
  if (off.length === 2) return result('coverage', unless('skip'), `HG001 and HG003 are turned off in the configuration; ${guarded} of ${plural(loops.length, 'loop')} guarded${unknown}`);
  const head = `${guarded} of ${plural(loops.length, 'loop')} guarded${extra.length ? ` (${extra.join(', ')})` : ''}`;
  if (failing.size === 0) return result('coverage', unless('pass'), `${head}${unknown}`);
  const missing = [...failing].sort((a, b) => a.file.localeCompare(b.file) || a.span.start.line - b.span.start.line).map((l) => missingLabel(l, findings));
  return result('coverage', unless(statusOf(findings)), `${head}; missing: ${listed(missing)}${unknown}`);
}
