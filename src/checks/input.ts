import type { FileAnalysis, Finding, MessageLoop, RuleId, TargetVersion } from '../model.js';
import type { ResolvedConfig } from '../config/types.js';
import type { SyntaxCrossCheck } from '../languages/python/interpreter-check.js';

/** What the table's checks look at: the model, the findings and the configuration. */
export interface CheckInput {
  files: FileAnalysis[];
  loops: MessageLoop[];
  findings: Finding[];
  config: ResolvedConfig;
  target: TargetVersion;
  /** Rules turned off in the config: their rows say so instead of passing. */
  disabled: ReadonlySet<RuleId>;
  /** Loops that fail the policy, HG001/HG003 (HG012/HG013 for their loops) on or off (findings.ts policyFailures). */
  unguarded: ReadonlySet<MessageLoop>;
  /** `--python PATH`: what the interpreter said about the files' syntax. */
  syntaxCrossCheck?: SyntaxCrossCheck | null;
}

export function findingsOf(input: CheckInput, ids: readonly RuleId[]): Finding[] {
  return input.findings.filter((f) => ids.includes(f.ruleId));
}

export function polling(input: CheckInput): MessageLoop[] {
  return input.loops.filter((l) => l.guard.kind === 'polling');
}

/**
 * A bounded wait with no sleep: it awaits an event (`once(ws, 'open', { signal })`, an open
 * promise raced with a timer), so it has no polling interval — not an unknown one. A poll whose
 * sleep was not recognised has no known bound either, and is not one of these.
 */
export function waitsOnEvent(loop: MessageLoop): boolean {
  const fp = loop.guard.fingerprint;
  return fp !== null && fp.sleep === null && fp.timeoutSeconds !== null;
}
