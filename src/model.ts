// The loop model: every type that flows from the language front ends to the
// rules, checks and reporters lives here, so that no module reaches "back up".

export type LanguageId = 'python' | 'typescript' | 'javascript';

/**
 * Where a loop's connection comes from. New values are backward-compatible additions to the JSON
 * output (schemaVersion 1): consumers must accept values they do not know.
 */
export type Framework =
  // Python
  | 'fastapi'
  | 'starlette'
  | 'websockets'
  | 'aiohttp'
  | 'sanic'
  | 'quart'
  | 'litestar'
  | 'starlette-testclient'
  // TS/JS: the library or runtime the socket comes from (SPEC §3b)
  | 'ws'
  | 'isomorphic-ws'
  | 'undici'
  | 'dom'
  | 'deno'
  | 'bun'
  | 'cloudflare'
  | 'unknown';

export type GuardKind = 'none' | 'check' | 'polling' | 'unbounded' | 'framework';
export type Clock = 'monotonic' | 'wall' | 'loop';
export type SleepKind = 'async' | 'blocking';
export type OnTimeout = 'recheck-break' | 'break' | 'return' | 'raise' | 'continue' | 'none';
export type Placement = 'per-message' | 'before-loop';
export type Severity = 'error' | 'warning';
export type RuleSetting = Severity | 'off';
export type Confidence = 'high' | 'medium' | 'low';
/** pass: meets the policy (polling or framework guard); fail: does not; suppressed: by a comment. */
export type LoopStatus = 'pass' | 'fail' | 'suppressed';
export type RequirePolicy = 'polling' | 'check';
export type ConsistencyScope = 'file' | 'repository' | 'none';

export type RuleId =
  | 'HG000'
  | 'HG001'
  | 'HG002'
  | 'HG003'
  | 'HG004'
  | 'HG005'
  | 'HG006'
  | 'HG007'
  | 'HG008'
  | 'HG009'
  | 'HG010'
  | 'HG011'
  | 'HG012'
  | 'HG013';

export type CheckId =
  | 'syntax'
  | 'imports'
  | 'coverage'
  | 'consistency'
  | 'logic'
  | 'parameters'
  | 'breaking'
  | 'performance';
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

/** 1-based line and column (column counts UTF-16 code units, as editors and SARIF do). */
export interface Position {
  line: number;
  column: number;
}

export interface Span {
  start: Position;
  end: Position;
}

/** SPEC §3: the comparable shape of a polling guard. */
export interface Fingerprint {
  timeoutSeconds: number | null;
  intervalSeconds: number | null;
  states: string[];
  clock: Clock | null;
  sleep: SleepKind | null;
  onTimeout: OnTimeout;
  logsOnTimeout: boolean;
  exitsOnTerminalState: boolean;
  placement: Placement;
}

/** Fingerprint fields compared for consistency (placement is reported, not compared). */
export const COMPARED_FIELDS = [
  'timeoutSeconds',
  'intervalSeconds',
  'states',
  'clock',
  'sleep',
  'onTimeout',
  'logsOnTimeout',
  'exitsOnTerminalState',
] as const satisfies readonly (keyof Fingerprint)[];

/** A name the guard's code needs at run time (HG010). */
export interface NameUse {
  name: string;
  position: Position;
  /** Python: the module binds the name only under `if TYPE_CHECKING:`, which never runs. */
  typeCheckingOnly?: boolean;
}

export interface Guard {
  kind: GuardKind;
  /** Where the guard starts (null for `none`). */
  span: Span | null;
  fingerprint: Fingerprint | null;
  /** One line of source-like text saying what the guard is, for messages. */
  summary: string;
  /** A repository or configured helper the guard goes through, if any. */
  helper: string | null;
  /** Why a `framework` guard is framework-guaranteed. */
  frameworkReason: string | null;
  /** Where the guard's parts are, for precise findings. */
  parts: GuardParts;
  /** Names the guard needs that are not bound in the module (HG010). */
  unboundNames: NameUse[];
}

export interface GuardParts {
  sleepCall: Span | null;
  clockCall: Span | null;
  timeout: Span | null;
  interval: Span | null;
  /** The unbounded wait (HG003). */
  unboundedWait: Span | null;
}

export interface Receive {
  span: Span;
  /** The call as written, e.g. `websocket.receive_text` or `self._receive(ws)`. */
  call: string;
  /** The connection expression, e.g. `websocket` or `self.ws`. */
  connection: string;
  /** Set when the receive happens inside a repository function the loop calls. */
  via: string | null;
  /**
   * Python: the receive is an iterator's `__anext__` (`async for m in Stream(ws)`), and
   * `connection` is named as the iterator names it (`self._ws`), not in the loop's function.
   */
  inIterator?: boolean;
}

export interface MessageLoop {
  file: string;
  language: LanguageId;
  framework: Framework;
  /** Dotted qualified name of the enclosing function, `<module>` at top level. */
  function: string;
  /** The whole loop statement. */
  span: Span;
  /** First line of the loop's source text, normalised, for baseline fingerprints. */
  text: string;
  receive: Receive;
  guard: Guard;
  confidence: Confidence;
  /** Whether the receive sits inside an `async def` (the codemod needs it). */
  inAsyncFunction: boolean;
  /**
   * Python: a web framework the evidence ties the connection to whose WebSocket is not
   * Starlette's (`falcon`, `blacksheep`; `framework` is then `unknown`): the codemod's block,
   * which polls Starlette's states, does not fit it.
   */
  otherFramework?: string;
  /**
   * Python: every receive of the loop, in text order (`receive` is the least guarded of them),
   * so that the codemod puts one guard where it precedes them all (a receive on each branch).
   */
  receives?: Span[];
  /**
   * Why `fix` would leave this loop unguarded, as far as the front end could tell from the syntax
   * tree with the fixer's own refusal checks (ts-refusals.ts; Python: refusals.ts nestedScopeRefusal). Not part of
   * the JSON output: it decides findings' `fixable`.
   */
  fixRefusal?: FixRefusal | null;
  /**
   * Diff-aware runs only: the other repository files (absolute paths) whose definitions the loop's
   * guard or receive was resolved through (a helper's module, a package re-exporting it), so that a
   * change to one of them gates this loop too. Absent in other runs.
   */
  dependsOn?: string[];
}

/** A reason `fix` would skip a loop; `unlessGroupThrows`: not when the group's guards throw on timeout. */
export interface FixRefusal {
  reason: string;
  /** The refusal is about the guard's bare `return;`, which a group whose guards throw does not write. */
  unlessGroupThrows: boolean;
}

export interface Suppression {
  file: string;
  line: number;
  rules: RuleId[];
  reason: string | null;
  used: boolean;
  /** The ids of `rules` that suppressed a finding in this run (set with `used`). */
  usedRules?: RuleId[];
}

/** A finding a front end computes itself because it is about no message loop (HG012, HG013). */
export interface FrontEndIssue {
  ruleId: RuleId;
  span: Span;
  message: string;
}

export interface SyntaxProblem {
  position: Position;
  message: string;
}

/** What the front end learnt from one file. */
export interface FileAnalysis {
  file: string;
  absPath: string;
  language: LanguageId;
  /** Set when the file could not be analysed at all (binary, not UTF-8, unreadable, too large). */
  skipped: string | null;
  syntax: SyntaxProblem[];
  /** The Python version the file's syntax was checked for, and where that came from. */
  target?: TargetVersion;
  loops: MessageLoop[];
  /** Problems a front end finds outside any loop (TS/JS: HG012 accept-missing, HG013 open-before-response). */
  issues?: FrontEndIssue[];
  suppressions: Suppression[];
  /** Source lines, kept for code frames. */
  lines: string[];
}

export interface Finding {
  ruleId: RuleId;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  message: string;
  fixable: boolean;
  /** The loop the finding is about, when there is one. */
  loop: MessageLoop | null;
  suppressed: boolean;
  /** Suppressed because `--baseline` records it (then `suppressed` is true as well). */
  baselined?: boolean;
}

export interface CheckResult {
  id: CheckId;
  title: string;
  status: CheckStatus;
  details: string;
}

export interface TargetVersion {
  pythonVersion: string;
  source: string;
}

export interface Bounds {
  timeoutSeconds: { min: number; max: number };
  intervalSeconds: { min: number; max: number };
  maxPolls: number;
}

// ---- The report: what `--format json` serialises and the API returns (SPEC §9). ----

export const SCHEMA_VERSION = 1 as const;

export interface LoopRecord {
  file: string;
  line: number;
  endLine: number;
  function: string;
  language: LanguageId;
  framework: Framework;
  receive: { line: number; column: number; call: string };
  guard: { kind: GuardKind; line: number | null; fingerprint: Fingerprint | null };
  status: LoopStatus;
  confidence: Confidence;
}

export interface FindingRecord {
  ruleId: RuleId;
  severity: Severity;
  file: string;
  line: number;
  column: number;
  endLine: number;
  message: string;
  fixable: boolean;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: string; version: string };
  target: TargetVersion;
  summary: { files: number; loops: number; guarded: number; errors: number; warnings: number };
  checks: CheckResult[];
  loops: LoopRecord[];
  findings: FindingRecord[];
}
