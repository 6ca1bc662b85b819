import type { Bounds, ConsistencyScope, RequirePolicy, RuleId, RuleSetting } from '../model.js';

/**
 * A polling helper defined outside the repository (config `guardHelpers` entry with `"kind":
 * "polling"`): its call site is a polling guard with these fields; unknown ones are null. It
 * returns a falsy value when its bound runs out (`return-false`, the default) or raises.
 */
export interface PollingHelper {
  name: string;
  timeoutSeconds: number | null;
  intervalSeconds: number | null;
  onTimeout: 'return-false' | 'raise';
  logsOnTimeout: boolean;
  exitsOnTerminalState: boolean;
}

/** The configuration after discovery, validation and defaults (SPEC §10). */
export interface ResolvedConfig {
  /** The file it came from, or null when only defaults apply. */
  source: string | null;
  /** Files beside `source` that hold a configuration too and are not used (a run notes them). */
  shadowed?: string[];
  /** Directory that relative `include`/`exclude` patterns are resolved against. */
  rootDir: string;
  include: string[];
  exclude: string[];
  require: RequirePolicy;
  pythonVersion: string | null;
  consistency: ConsistencyScope;
  rules: Partial<Record<RuleId, RuleSetting>>;
  bounds: Bounds;
  /** Performance budget: worst-case added latency per guard, in seconds. */
  budgetSeconds: number;
  receiveMethods: string[];
  connectionNames: string[];
  /** Every configured guard helper's name (`check` unless declared in `pollingHelpers`). */
  guardHelpers: string[];
  /** Configured helpers declared `"kind": "polling"`, with their fingerprint fields. */
  pollingHelpers: PollingHelper[];
  defaults: { timeoutSeconds: number; intervalSeconds: number; style: 'inline' | 'helper' | 'auto' };
  /** Whether a suppression comment must give a reason after `--`. */
  requireSuppressionReason: boolean;
  /** Files larger than this are not read: skipped with a note (default MAX_FILE_BYTES, 2 MiB). */
  maxFileBytes: number;
}

export const DEFAULT_RECEIVE_METHODS = [
  'receive',
  'receive_text',
  'receive_bytes',
  'receive_json',
  'iter_text',
  'iter_bytes',
  'iter_json',
];

export const DEFAULT_CONNECTION_NAMES = [
  'websocket',
  'ws',
  'socket',
  'conn',
  'connection',
  'websocket_connection',
  'ws_connection',
  'client_ws',
  'client_websocket',
  'web_socket',
];

/** `maxFileBytes`: larger files are skipped with a note. */
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export const DEFAULT_BOUNDS: Bounds = {
  timeoutSeconds: { min: 0.1, max: 10 },
  intervalSeconds: { min: 0.001, max: 0.5 },
  maxPolls: 1000,
};
