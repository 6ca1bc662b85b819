// Plans the edits for one Python file: where each failing loop's guard goes, what it looks
// like (the group's fingerprint), which names and imports it needs. Edits only — no reprint.
import {
  GUARD_MARKER,
  HELPER_NAME,
  renderHelperCall,
  renderHelperDef,
  renderHelperWait,
  renderInlineGuard,
  type GuardTimeout,
  type Layout,
  type PythonGuardSpec,
} from '../../codemods/python-starlette.js';
import { certainlyWhenNotConnected, evalCondition } from '../languages/python/conditions.js';
import { conditionContext } from '../languages/python/guards.js';
import { functionAt, type PyFunction, type PyModule } from '../languages/python/module.js';
import { field, isInside, LOOP_TYPES, named, statements, unwrap, type PyNode } from '../languages/python/nodes.js';
import { leaves } from '../languages/python/polling.js';
import type { ResolvedConfig } from '../config/types.js';
import type { Clock, Fingerprint, Framework, MessageLoop, SleepKind, Span } from '../model.js';
import type { TextEdit } from './edits.js';
import { helperOffset, importEdits, localNames, planNames } from './names.js';
import { lineEndAfterBreak, lineStart, type TextStyle } from './text-style.js';

/** The guard every fixed loop of a group gets: the group's fingerprint, or the canonical one. */
export interface TargetGuard {
  timeoutSeconds: number;
  intervalSeconds: number;
  states: string[];
  clock: Clock;
  sleep: SleepKind;
  onTimeout: GuardTimeout;
  logs: boolean;
  exitsOnTerminalState: boolean;
  style: 'inline' | 'helper';
  /** A polling helper the group already calls, to reuse: its name and an example call. */
  reuseHelper: { name: string; argsAfterConnection: string } | null;
}

export interface LoopOutcome {
  loop: MessageLoop;
  /** null when fixed; otherwise why the loop was left alone. */
  skipped: string | null;
  action: 'insert' | 'replace' | 'upgrade' | null;
}

export interface FilePlanInput {
  module: PyModule;
  style: TextStyle;
  /** Loops that fail the policy: they get a guard. */
  failing: MessageLoop[];
  /** Polling guards to rewrite to the target (`--upgrade`). */
  upgrade: MessageLoop[];
  target: TargetGuard;
  placement: 'per-message' | 'before-loop';
  guardHelpers: readonly string[];
}

export interface FilePlan {
  edits: TextEdit[];
  outcomes: LoopOutcome[];
}

/** Connections with Starlette's `application_state`/`client_state`: the only ones the canonical block can poll. */
const STARLETTE_STATE: ReadonlySet<Framework> = new Set(['fastapi', 'starlette', 'unknown']);

const NESTED_SCOPES = new Set(['lambda', 'list_comprehension', 'set_comprehension', 'dictionary_comprehension', 'generator_expression']);

function nodeAt(root: PyNode, span: Span): PyNode | null {
  const start = { row: span.start.line - 1, column: span.start.column - 1 };
  const end = { row: span.end.line - 1, column: span.end.column - 1 };
  return root.descendantForPosition(start, end);
}

/** The statement (a direct child of a block) that contains a node. */
function statementOf(node: PyNode): PyNode | null {
  let n: PyNode | null = node;
  while (n && n.parent && n.parent.type !== 'block' && n.parent.type !== 'module') n = n.parent;
  return n;
}

function precedingSiblings(stmt: PyNode): PyNode[] {
  const out: PyNode[] = [];
  for (const s of statements(stmt.parent)) {
    if (s.id === stmt.id) break;
    out.push(s);
  }
  return out;
}

/** `if <not connected>: break` statements right before the statement: the guard goes above them. */
function leadingChecks(stmt: PyNode, fn: PyFunction, guardHelpers: readonly string[]): PyNode[] {
  const cctx = conditionContext(fn, { index: null, guardHelpers }, 1);
  const before = precedingSiblings(stmt);
  const checks: PyNode[] = [];
  for (let i = before.length - 1; i >= 0; i--) {
    const s = before[i] as PyNode;
    const cond = s.type === 'if_statement' ? field(s, 'condition') : null;
    if (!cond || !leaves(field(s, 'consequence')) || named(s).some((c) => c.type === 'else_clause' || c.type === 'elif_clause')) break;
    if (!certainlyWhenNotConnected(evalCondition(cond, cctx))) break;
    checks.unshift(s);
  }
  return checks;
}

/** `if not is_ready(websocket, cid): break` → `is_ready(websocket, cid)`: the module's own re-check. */
function recheckOf(checks: PyNode[]): string | null {
  for (const c of checks) {
    const cond = unwrap(field(c, 'condition') as PyNode);
    if (cond.type !== 'not_operator') continue;
    const inner = unwrap(field(cond, 'argument') as PyNode);
    if (inner.type === 'call') return inner.text.replace(/\s+/g, ' ');
  }
  return null;
}

function indentOf(text: string, node: PyNode): string | null {
  const start = lineStart(text, node.startIndex);
  const lead = text.slice(start, node.startIndex);
  return /^[ \t]*$/.test(lead) ? lead : null;
}

function enclosingLoop(node: PyNode, fn: PyFunction): boolean {
  for (let n = node.parent; n && n.id !== fn.node.id; n = n.parent) if (LOOP_TYPES.has(n.type)) return true;
  return false;
}

interface Site {
  /** The statement the guard goes before (or replaces). */
  stmt: PyNode;
  /** Replace from `start` to `end` instead of inserting at `stmt`'s line. */
  replace: { start: number; end: number } | null;
  leave: 'break' | 'return';
  recheck: string | null;
  conn: string;
  /**
   * The loop's own check right after the site leaves when the socket is not connected: only the
   * wait goes in, and that check (with its side effects: flags, cleanup) is the fallback.
   */
  waitOnly: boolean;
}

/** The name a connection expression starts with: `ws` for `ws`, `self` for `self.ws`. */
function rootName(conn: string): string {
  return /^[A-Za-z_]\w*/.exec(conn)?.[0] ?? conn;
}

/**
 * The loop binds the connection anew (`for ws in clients:`, `ws = await next_client()` in its
 * body; for an attribute, `self.ws = await next_client()` too).
 */
function rebindsConnection(loop: PyNode, conn: string): boolean {
  const root = rootName(conn);
  const names = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$/.test(conn) ? [root, conn] : [root];
  const esc = names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
  const left = loop.type === 'for_statement' ? field(loop, 'left') : null;
  if (left && new RegExp(`(?<![\\w.])(${esc})(?![\\w.])`).test(left.text)) return true;
  const body = field(loop, 'body');
  // `ws = …`, `ws: WebSocket = …`, `for ws in …`, `with … as ws`, `except … as ws`
  const binds = new RegExp(`^[ \\t]*((${esc})[ \\t]*(:[^=\\n]*)?=(?!=)|(async[ \\t]+)?for[ \\t]+([\\w., ]*(?<![\\w.]))?(${esc})(?![\\w.])[^\\n]*\\bin\\b)|\\bas[ \\t]+(${esc})(?![\\w.])`, 'm');
  return body !== null && binds.test(body.text);
}

/**
 * A message loop nested in loops of its function that go on with the same connection: a
 * `break` in it would hand a socket the guard found not ready back to them (they then send on
 * it). The statement a `break` must be placed before to leave the outermost of them — the loop
 * on the path that sits directly in it — or null when the message loop is the one to leave.
 */
function outerExitStatement(loopNode: PyNode, fn: PyFunction, conn: string): PyNode | null {
  let leaveFrom: PyNode | null = null;
  for (let n = loopNode.parent; n && n.id !== fn.node.id; n = n.parent) {
    if (!LOOP_TYPES.has(n.type)) continue;
    if (rebindsConnection(n, conn)) break;
    leaveFrom = n;
  }
  if (!leaveFrom) return null;
  let child: PyNode = loopNode;
  for (let n = loopNode.parent; n && n.id !== leaveFrom.id; n = n.parent) if (LOOP_TYPES.has(n.type)) child = n;
  return statementOf(child);
}

/**
 * The statement a per-message guard goes before so that it precedes every receive of the loop
 * (SPEC §8: before the first receive): in the innermost block around the receive that holds
 * them all, the first statement holding one. A receive on each branch of an `if` puts it before
 * the `if`; one receive, before its own statement. Null when a receive is outside the body.
 */
function firstReceiveStatement(anchor: PyNode, loop: MessageLoop, loopNode: PyNode, root: PyNode): PyNode | null {
  const body = field(loopNode, 'body');
  const receives = [anchor, ...(loop.receives ?? []).map((span) => nodeAt(root, span)).filter((n): n is PyNode => n !== null)];
  if (!body || !receives.every((r) => isInside(r, body))) return null;
  for (let n: PyNode | null = anchor.parent; n && isInside(n, body); n = n.parent) {
    if (n.type !== 'block' || !receives.every((r) => isInside(r, n as PyNode))) continue;
    return statements(n).find((s) => receives.some((r) => isInside(r, s))) ?? null;
  }
  return null;
}

/** What the re-scan reads for a fallback made of the loop's own check that leaves with `how`. */
function checkReading(how: 'break' | 'return' | 'raise' | 'continue' | null, beforeLoop: boolean): GuardTimeout | null {
  if (how === 'break') return 'recheck-break';
  if (how === 'return') return beforeLoop ? 'recheck-break' : 'return';
  if (how === 'raise') return 'raise';
  return null;
}

/** Where a failing loop's guard goes, or why it cannot go anywhere safely. */
function siteFor(loop: MessageLoop, input: FilePlanInput): Site | string {
  const { module } = input;
  const anchor = nodeAt(module.root, loop.receive.span);
  const loopNode = nodeAt(module.root, loop.span);
  if (!anchor || !loopNode) return 'could not locate the loop in the file';
  const fn = functionAt(module, anchor);
  if (!fn.isAsync) return 'the receive is in a non-async function: an awaited wait cannot be added there';
  // Up to the loop itself: a comprehension can be the message loop.
  for (let n = anchor.parent; n; n = n.id === loopNode.id ? null : n.parent) {
    if (NESTED_SCOPES.has(n.type)) return `the receive is inside a ${n.type.replace(/_/g, ' ')}`;
  }
  const body = field(loopNode, 'body');
  const conn = loop.receive.connection;
  const outer = outerExitStatement(loopNode, fn, conn);
  const perMessage = input.placement === 'per-message' && body !== null && isInside(anchor, body) && outer === null;
  if (loop.guard.kind === 'unbounded' && loop.guard.helper === null && loop.guard.span) {
    const wait = nodeAt(module.root, loop.guard.span);
    const stmt = wait ? statementOf(wait) : null;
    if (!stmt) return 'could not locate the unbounded wait';
    const inLoop = body !== null && isInside(stmt, body);
    if (inLoop && outer) return 'the message loop is nested in a loop that goes on with the same connection: a `break` replacing its wait would leave only the inner loop';
    return {
      stmt,
      replace: { start: lineStart(module.source, stmt.startIndex), end: lineEndAfterBreak(module.source, stmt.endIndex) },
      leave: inLoop || enclosingLoop(stmt, fn) ? 'break' : 'return',
      recheck: null,
      conn,
      waitOnly: false,
    };
  }
  // A receive of the loop outside its body (its `while` condition): the guard goes before the loop.
  const inBody = perMessage ? firstReceiveStatement(anchor, loop, loopNode, module.root) : null;
  const target = outer ?? inBody ?? statementOf(loopNode);
  if (!target) return 'could not locate the statement to guard';
  const leave = inBody || enclosingLoop(target, fn) ? 'break' : 'return';
  // The receive is the condition of the loop's own exit, which runs other code before leaving
  // (`if not await still_connected(ws): forget_worker(id); return`): a guard's `break` in front
  // of it would skip that code.
  if (inBody && target.type === 'if_statement') {
    const cond = field(target, 'condition');
    const consequence = field(target, 'consequence');
    if (cond && isInside(anchor, cond) && leaves(consequence) && statements(consequence).length > 1) {
      return `the receive is in the condition of the loop's own exit (line ${target.startPosition.row + 1}), which runs other code before leaving; a guard's \`${leave}\` in front of it would skip that code — guard it by hand`;
    }
  }
  const checks = leadingChecks(target, fn, input.guardHelpers);
  const first = checks[0];
  if (first) {
    // The loop already leaves when the socket is not connected: wait before its check, which stays the fallback.
    const beforeLoop = !isInside(first, loopNode);
    const reading = checkReading(leaves(field(first, 'consequence')), beforeLoop);
    if (reading !== input.target.onTimeout) {
      return `the loop's own check (line ${first.startPosition.row + 1}) leaves ${reading === null ? 'without leaving the loop' : `as \`${reading}\``} where the group's guards use \`${input.target.onTimeout}\`: a wait before it would not match them — guard it by hand`;
    }
    return { stmt: first, replace: null, leave, recheck: null, conn, waitOnly: true };
  }
  return { stmt: target, replace: null, leave, recheck: null, conn, waitOnly: false };
}

/** The start of the marker comment line right above `start`, if a previous fix wrote one (the block brings its own). */
function markerStart(text: string, start: number): number {
  let end = start - 1;
  if (end > 0 && text[end - 1] === '\r' && text[end] === '\n') end--;
  if (end <= 0) return start;
  const prev = lineStart(text, end);
  return text.slice(prev, end).trim() === GUARD_MARKER ? prev : start;
}

/** The region of an inline polling guard to rewrite: its setup assignments, the wait, the fallback. */
function guardRegion(loop: MessageLoop, module: PyModule): { start: number; end: number; stmt: PyNode; recheck: string | null } | string {
  if (loop.guard.helper) return `the guard is a call to ${loop.guard.helper}: upgrade that helper instead`;
  const wait = loop.guard.span ? nodeAt(module.root, loop.guard.span) : null;
  const stmt = wait ? statementOf(wait) : null;
  if (!stmt || !LOOP_TYPES.has(stmt.type)) return 'could not locate the polling guard';
  const anchor = nodeAt(module.root, loop.receive.span);
  // `while not connected: … else: <receive>`: rewriting the wait would take the receive with it.
  if (anchor && isInside(anchor, stmt)) return "the receive is in the wait's `else:` clause: rewrite the guard by hand";
  const siblings = statements(stmt.parent);
  const at = siblings.findIndex((s) => s.id === stmt.id);
  // Setup: assignments right above the wait that only the guard uses.
  let first = at;
  const rest = (from: number) => siblings.slice(from).map((s) => s.text).join('\n');
  for (let i = at - 1; i >= 0; i--) {
    const s = siblings[i] as PyNode;
    const expr = s.type === 'expression_statement' ? named(s)[0] : null;
    const name = expr?.type === 'assignment' ? field(expr, 'left') : null;
    if (name?.type !== 'identifier') break;
    const used = new RegExp(`\\b${name.text}\\b`);
    if (!used.test(stmt.text)) break;
    first = i;
  }
  // Fallback: statements after the wait up to the one that leaves, before the receive.
  let last = at;
  for (let i = at + 1; i < siblings.length; i++) {
    const s = siblings[i] as PyNode;
    if (anchor && isInside(anchor, s)) break;
    const leaving = ['break_statement', 'return_statement', 'raise_statement'].includes(s.type) || (s.type === 'if_statement' && leaves(field(s, 'consequence')));
    if (!leaving) break;
    last = i;
    break;
  }
  const region = siblings.slice(first, last + 1);
  const after = rest(last + 1);
  for (const s of region.slice(0, at - first)) {
    const left = field(named(s)[0] as PyNode, 'left')?.text ?? '';
    if (new RegExp(`\\b${left}\\b`).test(after)) return `\`${left}\` is used after the guard; rewrite it by hand`;
  }
  const firstNode = region[0] as PyNode;
  const lastNode = region[region.length - 1] as PyNode;
  // The fallback's own re-check (`if not is_ready(ws, cid):`) is kept in the canonical block.
  const recheck = recheckOf(region.slice(at - first + 1).filter((s) => s.type === 'if_statement'));
  return { start: markerStart(module.source, lineStart(module.source, firstNode.startIndex)), end: lineEndAfterBreak(module.source, lastNode.endIndex), stmt: firstNode, recheck };
}

export function planFile(input: FilePlanInput): FilePlan {
  const { module, style, target } = input;
  const text = module.source;
  const layoutAt = (indent: string): Layout => ({ indent, unit: style.indentUnit, eol: style.eol });
  const needsTime = target.clock !== 'loop' || target.sleep === 'blocking';
  const helperStyle = target.style === 'helper';
  // An inline block reads its names in the loop's function: one that function binds itself
  // (a parameter `time`, `for logger in …`) is imported or aliased under a free name.
  const local = new Map<string, string | null>();
  if (!helperStyle) {
    for (const loop of [...input.failing, ...input.upgrade]) {
      const anchor = nodeAt(module.root, loop.receive.span);
      if (!anchor) continue;
      for (const [name, imported] of localNames(functionAt(module, anchor))) local.set(name, local.has(name) && local.get(name) !== imported ? null : imported);
    }
  }
  const names = planNames(module, needsTime, local);
  const edits: TextEdit[] = [];
  const outcomes: LoopOutcome[] = [];
  let helperNeeded = false;
  const hasOwnHelper = module.byName.has(HELPER_NAME);

  const spec = (conn: string, leave: 'break' | 'return', recheck: string | null): PythonGuardSpec => ({
    conn,
    states: target.states,
    timeoutSeconds: target.timeoutSeconds,
    intervalSeconds: target.intervalSeconds,
    clock: target.clock,
    sleep: target.sleep,
    exitsOnTerminalState: target.exitsOnTerminalState,
    onTimeout: target.onTimeout,
    logs: target.logs,
    recheck,
    leave,
    names: names.names,
  });

  const render = (site: { conn: string; leave: 'break' | 'return'; recheck: string | null; waitOnly?: boolean }, indent: string): string => {
    if (!helperStyle) return renderInlineGuard(spec(site.conn, site.leave, site.recheck), layoutAt(indent), site.waitOnly);
    helperNeeded ||= target.reuseHelper === null && !hasOwnHelper;
    const call = target.reuseHelper
      ? `${target.reuseHelper.name}(${site.conn}${target.reuseHelper.argsAfterConnection})`
      : `${HELPER_NAME}(${site.conn})`;
    // The loop's own check right after is the fallback: only the wait goes in.
    if (site.waitOnly) return renderHelperWait(call, layoutAt(indent));
    return renderHelperCall(call, site.leave, layoutAt(indent));
  };

  for (const loop of input.failing) {
    if (names.refusal !== null) {
      outcomes.push({ loop, skipped: names.refusal, action: null });
      continue;
    }
    const site = !STARLETTE_STATE.has(loop.framework)
      ? `the guard polls Starlette's application_state, which ${loop.framework} connections do not have`
      : loop.framework === 'unknown' && loop.confidence === 'low'
        ? // Only its name says it is a WebSocket: a Starlette guard (and import) could break a channel or stream.
          `nothing says ${loop.receive.connection} is a Starlette WebSocket (the module imports no WebSocket framework): annotate it (\`: WebSocket\`) or guard it by hand`
        : siteFor(loop, input);
    if (typeof site === 'string') {
      outcomes.push({ loop, skipped: site, action: null });
      continue;
    }
    const indent = indentOf(text, site.stmt);
    if (indent === null) {
      outcomes.push({ loop, skipped: 'the statement to guard shares its line with other code', action: null });
      continue;
    }
    const block = render(site, indent);
    if (site.replace) edits.push({ ...site.replace, text: block });
    else {
      const at = lineStart(text, site.stmt.startIndex);
      edits.push({ start: at, end: at, text: block });
    }
    outcomes.push({ loop, skipped: null, action: site.replace ? 'replace' : 'insert' });
  }

  for (const loop of input.upgrade) {
    const region = guardRegion(loop, module);
    if (typeof region === 'string') {
      outcomes.push({ loop, skipped: region, action: null });
      continue;
    }
    const indent = indentOf(text, region.stmt);
    const loopNode = nodeAt(module.root, loop.span);
    const fn = functionAt(module, region.stmt);
    if (indent === null || !loopNode) {
      outcomes.push({ loop, skipped: 'the guard shares its lines with other code', action: null });
      continue;
    }
    const body = field(loopNode, 'body');
    const inLoop = body !== null && isInside(region.stmt, body);
    const leave = inLoop || enclosingLoop(loopNode, fn) ? 'break' : 'return';
    edits.push({ start: region.start, end: region.end, text: render({ conn: loop.receive.connection, leave, recheck: region.recheck }, indent) });
    outcomes.push({ loop, skipped: null, action: 'upgrade' });
  }

  if (outcomes.some((o) => o.skipped === null)) {
    edits.push(...importEdits(module, names, style.eol));
    if (helperNeeded) {
      const at = helperOffset(module);
      const def = renderHelperDef(
        {
          states: target.states,
          timeoutSeconds: target.timeoutSeconds,
          intervalSeconds: target.intervalSeconds,
          clock: target.clock,
          sleep: target.sleep,
          exitsOnTerminalState: target.exitsOnTerminalState,
          logs: target.logs,
          names: names.names,
        },
        layoutAt(''),
      );
      const atEnd = at >= text.length;
      edits.push({ start: at, end: at, text: atEnd ? `${style.eol}${style.eol}${def}` : `${def}${style.eol}${style.eol}` });
    }
  }
  return { edits, outcomes };
}

/** Compared fields of a fingerprint, as one key: loops with equal keys have matching guards. */
export function fingerprintKey(f: Fingerprint): string {
  return JSON.stringify([f.timeoutSeconds, f.intervalSeconds, [...f.states].sort(), f.clock, f.sleep, f.onTimeout, f.logsOnTimeout, f.exitsOnTerminalState]);
}

/**
 * The timeout and interval a new guard uses: `--timeout`/`--interval`, else the reference
 * fingerprint's where they are within the configured bounds, else the configured defaults.
 */
export function boundedTiming(f: Fingerprint | null, opts: { timeout?: number; interval?: number }, cfg: Pick<ResolvedConfig, 'bounds' | 'defaults'>): { timeoutSeconds: number; intervalSeconds: number } {
  const within = (v: number | null, range: { min: number; max: number }): v is number => v !== null && v >= range.min && v <= range.max;
  const timeout = f?.timeoutSeconds ?? null;
  const interval = f?.intervalSeconds ?? null;
  return {
    timeoutSeconds: opts.timeout ?? (within(timeout, cfg.bounds.timeoutSeconds) ? timeout : cfg.defaults.timeoutSeconds),
    intervalSeconds: opts.interval ?? (within(interval, cfg.bounds.intervalSeconds) ? interval : cfg.defaults.intervalSeconds),
  };
}

/** The most common fingerprint (compared fields), ties to the first loop. */
export function majority(loops: MessageLoop[]): { fingerprint: Fingerprint; loop: MessageLoop } | null {
  const counts = new Map<string, { n: number; loop: MessageLoop }>();
  for (const l of loops) {
    const f = l.guard.fingerprint;
    if (l.guard.kind !== 'polling' || !f) continue;
    const key = fingerprintKey(f);
    const c = counts.get(key);
    if (c) c.n++;
    else counts.set(key, { n: 1, loop: l });
  }
  let best: { n: number; loop: MessageLoop } | null = null;
  for (const c of counts.values()) if (!best || c.n > best.n) best = c;
  return best && best.loop.guard.fingerprint ? { fingerprint: best.loop.guard.fingerprint, loop: best.loop } : null;
}
