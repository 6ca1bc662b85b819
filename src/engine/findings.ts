// Runs the rules over the model, applies the configured severities and the suppression comments.
import { ALL_RULES } from '../../rules/index.js';
import type { FileAnalysis, Finding, MessageLoop, RuleId, RuleSetting, Suppression } from '../model.js';
import type { Rule, RuleContext, RuleReport } from '../rule.js';

function settingOf(rule: Rule, overrides: Partial<Record<RuleId, RuleSetting>>): RuleSetting {
  return overrides[rule.id] ?? rule.defaultSeverity;
}

/**
 * `fix` awaits its wait: a loop outside an async function is never fixed (only TS/JS module top
 * level, where ES modules allow `await`, is tried), so its findings do not claim to be fixable;
 * nor are those of a receive in a comprehension (no statement to put the wait before).
 */
function canAwaitAt(loop: MessageLoop | null): boolean {
  if (loop?.inComprehension === true) return false;
  return loop === null || loop.inAsyncFunction || (loop.language !== 'python' && loop.function === '<module>');
}

function toFinding(rule: Rule, r: RuleReport, severity: 'error' | 'warning'): Finding {
  return {
    ruleId: rule.id,
    severity,
    file: r.file,
    line: r.span.start.line,
    column: r.span.start.column,
    endLine: r.span.end.line,
    endColumn: r.span.end.column,
    message: r.message,
    fixable: rule.fixable && canAwaitAt(r.loop),
    loop: r.loop,
    suppressed: false,
  };
}

/** A suppression covers its own line and the next: the loop's first line or the finding's line. */
function covers(s: Suppression, f: Finding, requireReason: boolean): boolean {
  if (s.file !== f.file || !s.rules.includes(f.ruleId)) return false;
  if (requireReason && s.reason === null) return false;
  const lines = [f.line, ...(f.loop ? [f.loop.span.start.line] : [])];
  return lines.some((l) => l === s.line || l === s.line + 1);
}

export interface FindingsInput {
  files: FileAnalysis[];
  loops: MessageLoop[];
  ctx: RuleContext;
  rules: Partial<Record<RuleId, RuleSetting>>;
  requireSuppressionReason: boolean;
}

/**
 * The rules whose findings on a loop mean it is not guarded: HG001/HG003, and the TS/JS platform
 * rules that report a loop's send or wait instead of them (HG012: a Cloudflare server end not
 * accepted yet; HG013: a Deno socket before the upgrade response).
 */
export const COVERAGE_RULES: readonly RuleId[] = ['HG001', 'HG003', 'HG012', 'HG013'];

/**
 * The loops that fail the policy (a COVERAGE_RULES rule would report them), whether or not those
 * rules are on: a loop is not "guarded" because the rule that would say so is turned off.
 */
export function policyFailures(input: FindingsInput, findings: readonly Finding[]): Set<MessageLoop> {
  const out = new Set<MessageLoop>();
  for (const f of findings) if (f.loop && COVERAGE_RULES.includes(f.ruleId)) out.add(f.loop);
  for (const rule of ALL_RULES) {
    if (!COVERAGE_RULES.includes(rule.id) || settingOf(rule, input.rules) !== 'off') continue;
    for (const r of rule.check(input.ctx)) if (r.loop) out.add(r.loop);
  }
  return out;
}

export function collectFindings(input: FindingsInput): Finding[] {
  const findings: Finding[] = [];
  const suppressions = input.files.flatMap((f) => f.suppressions);
  for (const s of suppressions) {
    s.used = false;
    s.usedRules = [];
  }
  const hg000 = ALL_RULES.find((r) => r.id === 'HG000');
  for (const rule of ALL_RULES) {
    if (rule.id === 'HG000') continue;
    const setting = settingOf(rule, input.rules);
    if (setting === 'off') continue;
    for (const r of rule.check(input.ctx)) findings.push(toFinding(rule, r, setting));
  }
  for (const f of findings) {
    const s = suppressions.find((x) => covers(x, f, input.requireSuppressionReason));
    if (s) {
      f.suppressed = true;
      s.used = true;
      if (!s.usedRules?.includes(f.ruleId)) s.usedRules?.push(f.ruleId);
    }
  }
  // HG000 runs last: it needs to know which suppressions were used.
  if (hg000 && settingOf(hg000, input.rules) !== 'off') {
    const severity = settingOf(hg000, input.rules) as 'error' | 'warning';
    const reports = hg000.check(input.ctx);
    for (const r of reports) findings.push(toFinding(hg000, r, severity));
  }
  return findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
}
