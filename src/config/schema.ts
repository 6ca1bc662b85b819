// The user-facing configuration keys (SPEC §10), as a strict zod schema, plus the
// helpers that turn zod's issues into the one-line messages `UsageError` carries.
// Everything here is pure: reading files and filling defaults happen in load.ts.

import { z } from 'zod';
import { PYTHON_VERSION_HINT, PYTHON_VERSION_PATTERN, renderPath, type PathSegment } from './keys.js';

export const RULE_IDS = [
  'HG000',
  'HG001',
  'HG002',
  'HG003',
  'HG004',
  'HG005',
  'HG006',
  'HG007',
  'HG008',
  'HG009',
  'HG010',
  'HG011',
  'HG012',
  'HG013',
] as const;

export { PYTHON_VERSION_PATTERN, renderPath } from './keys.js';

const seconds = z.number().positive();
const name = z.string().min(1);
const pattern = z.string().min(1);
const range = z.strictObject({ min: seconds.optional(), max: seconds.optional() });

export const userConfigSchema = z.strictObject({
  include: z.array(pattern).optional(),
  exclude: z.array(pattern).optional(),
  require: z.enum(['polling', 'check']).optional(),
  pythonVersion: z.string().regex(PYTHON_VERSION_PATTERN, `must be ${PYTHON_VERSION_HINT}`).optional(),
  consistency: z.enum(['file', 'repository', 'none']).optional(),
  // partialRecord: any subset of the ids; an unknown id is an unrecognized key.
  rules: z.partialRecord(z.enum(RULE_IDS), z.enum(['error', 'warning', 'off'])).optional(),
  bounds: z
    .strictObject({
      timeout: range.optional(),
      interval: range.optional(),
      polls: z.strictObject({ max: z.number().int().positive().optional() }).optional(),
    })
    .optional(),
  budget: seconds.optional(),
  receiveMethods: z.array(name).optional(),
  connectionNames: z.array(name).optional(),
  // A name (a validation helper: `check`), or `{ name, kind, … }` — a polling helper defined
  // elsewhere with what its fingerprint holds (the analyser cannot read its body).
  guardHelpers: z
    .array(
      z.union([
        name,
        z.strictObject({
          name,
          kind: z.enum(['check', 'polling']),
          timeoutSeconds: seconds.optional(),
          intervalSeconds: seconds.optional(),
          onTimeout: z.enum(['return-false', 'raise']).optional(),
          logsOnTimeout: z.boolean().optional(),
          exitsOnTerminalState: z.boolean().optional(),
        }),
      ]),
    )
    .optional(),
  defaults: z
    .strictObject({
      timeout: seconds.optional(),
      interval: seconds.optional(),
      style: z.enum(['inline', 'helper', 'auto']).optional(),
    })
    .optional(),
  suppressions: z.strictObject({ requireReason: z.boolean().optional() }).optional(),
  /** Files larger than this many bytes are skipped with a note (default 2 MiB). */
  maxFileBytes: z.number().int().positive().optional(),
});

export type UserConfig = z.infer<typeof userConfigSchema>;


const KEBAB = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$/;

export function kebabToCamel(key: string): string {
  return KEBAB.test(key) ? key.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key;
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export type NormaliseResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * pyproject.toml spells keys in kebab-case (`receive-methods`, `require-reason`); the
 * schema speaks camelCase. Rename every nested key, and refuse a key written both ways
 * rather than let one silently win. `prefix` only decorates the error message.
 */
export function normaliseKebabKeys(value: unknown, prefix: readonly string[] = []): NormaliseResult {
  let problem: string | null = null;
  const walk = (node: unknown, path: PathSegment[]): unknown => {
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (!isPlainRecord(node)) return node;
    const out: Record<string, unknown> = {};
    const writtenAs = new Map<string, string>();
    for (const [key, item] of Object.entries(node)) {
      const camel = kebabToCamel(key);
      const earlier = writtenAs.get(camel);
      if (earlier !== undefined && problem === null) {
        const other = renderPath([...prefix, ...path, earlier]);
        problem = `duplicate key "${renderPath([...prefix, ...path, key])}" (also written as "${other}")`;
      }
      writtenAs.set(camel, key);
      // defineProperty: a key spelt `__proto__` must stay a key (and then fail validation).
      Object.defineProperty(out, camel, {
        value: walk(item, [...path, key]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  };
  const result = walk(value, []);
  return problem === null ? { ok: true, value: result } : { ok: false, message: problem };
}

/**
 * The path as the user wrote it: walk the original (pre-normalisation) input and use
 * the spelling found there, so a pyproject error says `receive-methods`, not `receiveMethods`.
 */
function pathAsWritten(original: unknown, path: readonly PropertyKey[]): PathSegment[] {
  const out: PathSegment[] = [];
  let node: unknown = original;
  for (const seg of path) {
    if (typeof seg === 'number') {
      out.push(seg);
      node = Array.isArray(node) ? node[seg] : undefined;
      continue;
    }
    const key = String(seg);
    const written = isPlainRecord(node) ? Object.keys(node).find((k) => kebabToCamel(k) === key) : undefined;
    out.push(written ?? key);
    node = written !== undefined && isPlainRecord(node) ? node[written] : undefined;
  }
  return out;
}

/** A short rendering of a bad value for messages. */
export function showValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'an object',
  record: 'an object',
  array: 'an array',
};

/** One zod issue as one line, naming the key path (with `prefix`, e.g. `tool.handshake-guard`). */
export function describeIssue(issue: z.core.$ZodIssue, original: unknown, prefix: readonly string[] = []): string {
  const written = pathAsWritten(original, issue.path);
  const at = (extra: PathSegment[] = []): string => `"${renderPath([...prefix, ...written, ...extra])}"`;
  const got = `(got ${showValue(issue.input)})`;
  switch (issue.code) {
    case 'unrecognized_keys': {
      if (issue.path.length === 1 && issue.path[0] === 'rules') {
        const ids = issue.keys.map((k) => `"${k}"`).join(', ');
        return `unknown rule id ${ids} in ${at()} (expected ${RULE_IDS[0]}..${RULE_IDS[RULE_IDS.length - 1]})`;
      }
      const keys = issue.keys.map((k) => `"${renderPath([...prefix, ...written, k])}"`);
      return `unknown key${keys.length > 1 ? 's' : ''} ${keys.join(', ')}`;
    }
    case 'invalid_value':
      return `${at()} must be one of ${issue.values.map(String).join(', ')} ${got}`;
    case 'invalid_type':
      return `${at()} must be ${EXPECTED[issue.expected] ?? issue.expected} ${got}`;
    case 'too_small':
      if (issue.origin === 'string') return `${at()} must not be empty`;
      if (issue.minimum === 0 && issue.inclusive !== true) return `${at()} must be a positive number ${got}`;
      return `${at()} must be at least ${String(issue.minimum)} ${got}`;
    case 'too_big':
      return `${at()} must be at most ${String(issue.maximum)} ${got}`;
    case 'invalid_format':
      return `${at()} ${issue.message} ${got}`;
    default:
      return `${at()}: ${issue.message}`;
  }
}
