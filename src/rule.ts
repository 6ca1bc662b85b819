import type { Bounds, CheckId, FileAnalysis, MessageLoop, RequirePolicy, RuleId, Severity, Span } from './model.js';

/** The documentation that `explain` prints and SARIF's `help` carries (Ruff's four headings). */
export interface RuleDocs {
  whatItDoes: string;
  whyIsThisBad: string;
  /** Bad code, per language. */
  example: { python: string; typescript: string };
  /** The same code, fixed. */
  useInstead: { python: string; typescript: string };
}

export interface RuleMeta {
  id: RuleId;
  /** kebab-case, e.g. `receive-before-guard`. */
  name: string;
  /** One line for tables and SARIF's shortDescription. */
  summary: string;
  defaultSeverity: Severity;
  /** The verification-table row the rule feeds. */
  checkId: CheckId;
  /** Whether `fix` can repair what the rule reports. */
  fixable: boolean;
  docs: RuleDocs;
}

/** A group of loops whose polling guards must match (SPEC §4: file, repository or none). */
export interface ConsistencyGroup {
  name: string;
  loops: MessageLoop[];
}

export interface RuleContext {
  files: FileAnalysis[];
  loops: MessageLoop[];
  groups: ConsistencyGroup[];
  require: RequirePolicy;
  bounds: Bounds;
  /** Whether a suppression without a reason is refused (and reported by HG000). */
  requireSuppressionReason: boolean;
  /** Every rule's id by its name (`receive-before-guard` → HG001): HG000 names the id a suppression should use. */
  ruleIds?: ReadonlyMap<string, RuleId>;
}

/** What a rule reports; the engine adds severity, suppression and the file's lines. */
export interface RuleReport {
  file: string;
  span: Span;
  message: string;
  loop: MessageLoop | null;
}

export interface Rule extends RuleMeta {
  check(ctx: RuleContext): RuleReport[];
}
