// The TS/JS half of `fix`: plans the readyState guard (codemods/typescript-readystate.ts) for each
// failing loop (ts-sites.ts says where) and, with --upgrade, the rewrite of each existing guard
// (ts-upgrade.ts), as text edits on the original text. The result must type-check no worse.
import { renderReadyStateGuard } from '../../codemods/typescript-readystate.js';
import { renderReadyStateCall, renderReadyStateHelper } from '../../codemods/typescript-readystate-helper.js';
import type { FrontEndIssue, MessageLoop } from '../model.js';
import { loadTypeScript, parseSource, type TS, type TsNode, type TsSourceFile } from '../languages/typescript/compiler.js';
import { applyEdits, type TextEdit } from './edits.js';
import type { LoopOutcome } from './plan.js';
import { aboveLeadingComments, detectStyle, lineStart, type TextStyle } from './text-style.js';
import { insertSite, type TsSite } from './ts-sites.js';
import { loggerOf } from './ts-logger.js';
import { freshName, quoteOf, usesSemicolons } from './ts-style.js';
import { enclosingFunction, isInside, statementAt } from './ts-nodes.js';
import { openBeforeResponseRefusal, optionalChainRefusal, plainSocketRefusal, scopeRefusal, valueReturnRefusal } from './ts-refusals.js';
import { ms, type TsTarget } from './ts-target.js';
import type { TypeCheck } from './ts-typecheck.js';
import { upgradeRegion } from './ts-upgrade.js';
import { helperEdit } from './ts-helper-site.js';

export interface ScriptPlanInput {
  absPath: string;
  /** The file as the scan names it (a reused helper is bound only in the file it was seen in). */
  file: string;
  /** `--placement`, or null for the default (ts-sites.ts). */
  placement: 'per-message' | 'before-loop' | null;
  text: string;
  failing: MessageLoop[];
  /** Polling guards to rewrite to the target (`--upgrade`). */
  upgrade: MessageLoop[];
  target: TsTarget;
  /** The file's HG012/HG013 problems (the front end's): no wait may go where one applies. */
  issues: readonly FrontEndIssue[];
  /** The result must type-check no worse than before (ts-typecheck.ts). */
  typeCheck: TypeCheck;
}

/** Sockets of the global `WebSocket` class (not a library's, whose class may go by any name). */
const GLOBAL_SOCKETS: ReadonlySet<string> = new Set(['dom', 'deno', 'bun', 'cloudflare']);

/** A multi-line template literal would change if its lines were re-indented. */
function hasMultilineTemplate(ts: TS, sf: TsSourceFile, n: TsNode): boolean {
  if (ts.isTemplateLiteral(n) && /[\r\n]/.test(n.getText(sf))) return true;
  let found = false;
  n.forEachChild((c) => {
    found ||= hasMultilineTemplate(ts, sf, c);
  });
  return found;
}

/**
 * `if (x) ws.send(m)` → `if (x) {⏎ <guard> ws.send(m)⏎}`: the statement moves one level in (its
 * continuation lines too), the brace opens on the header's line (K&R, as nearly all JS is written).
 */
function wrapEdit(ts: TS, text: string, sf: TsSourceFile, stmt: TsNode, style: TextStyle, guard: (indent: string) => string): TextEdit | string {
  const start = stmt.getStart(sf);
  if (text.slice(stmt.pos, start).trim() !== '') return 'a comment stands between the header and the statement to wrap';
  const headerLine = lineStart(text, stmt.pos);
  const outer = /^[ \t]*/.exec(text.slice(headerLine))?.[0] ?? '';
  const inner = outer + style.indentUnit;
  const ownLine = text.slice(lineStart(text, start), start).trim() === '';
  const base = ownLine ? text.slice(lineStart(text, start), start) : outer;
  const parts = text.slice(start, stmt.end).split(/(\r\n|\r|\n)/);
  const body = parts.map((p, i) => (i === 0 || i % 2 === 1 || !p.startsWith(base) || p.trim() === '' ? p : inner + p.slice(base.length))).join('');
  // `if (x) a⏎else b` → `if (x) {…} else b`: the else follows the brace, as braced code has it.
  const p = stmt.parent;
  const elseAt = p && ts.isIfStatement(p) && p.thenStatement === stmt && p.elseStatement ? p.elseStatement.pos : -1;
  const gap = elseAt < 0 ? '' : text.slice(stmt.end, elseAt).replace(/\s*else$/, '');
  const end = elseAt >= 0 && gap.trim() === '' ? elseAt - 'else'.length : stmt.end;
  const close = end === stmt.end ? '}' : '} ';
  return { start: stmt.pos, end, text: ` {${style.eol}${guard(inner)}${inner}${body}${style.eol}${outer}${close}` };
}

interface ScriptPlan {
  edits: TextEdit[];
  outcomes: LoopOutcome[];
  /** Some loop was refused because the result type-checked worse. */
  typeRefused: boolean;
}

/**
 * The plan, with the state constants read from the socket (`ws.OPEN`). Sockets of the global
 * class whose guards do not compile that way are planned again reading them from the class
 * (`WebSocket.OPEN`): Cloudflare's workers-types declare them static only, while a project's own
 * runtime declarations may have them on the instance only — the type check decides. A file whose
 * sockets are all Cloudflare's starts from the class: the type check that would refuse `ws.OPEN`
 * may not run (a tsconfig.json that extends a package not installed, as in a fresh checkout).
 */
export async function planScriptFile(input: ScriptPlanInput): Promise<{ edits: TextEdit[]; outcomes: LoopOutcome[] }> {
  const all = [...input.failing, ...input.upgrade];
  const ts = await loadTypeScript();
  // Parsed at most once: asked for `preferred` and again after a refused type check.
  let binds: boolean | undefined;
  const bindsClass = (): boolean => (binds ??= bindsName(ts, parseSource(ts, input.absPath, input.text), 'WebSocket'));
  const preferred = all.length > 0 && all.every((l) => l.framework === 'cloudflare') && !bindsClass() ? 'WebSocket' : undefined;
  const first = await planWith(input, preferred);
  if (!first.typeRefused || !all.every((l) => GLOBAL_SOCKETS.has(l.framework))) return first;
  if (preferred === undefined && bindsClass()) return first;
  const second = await planWith(input, preferred === undefined ? 'WebSocket' : undefined);
  const fixed = (p: ScriptPlan): number => p.outcomes.filter((o) => o.skipped === null).length;
  return fixed(second) > fixed(first) ? second : first;
}

async function planWith(input: ScriptPlanInput, constants: string | undefined): Promise<ScriptPlan> {
  const ts = await loadTypeScript();
  const { text, target } = input;
  const sf = parseSource(ts, input.absPath, text);
  const detected = detectStyle(text);
  // A file with no indented line shows no unit; two spaces is what JS formatters default to.
  const style: TextStyle = /^[ \t]+\S/m.test(text) ? detected : { ...detected, indentUnit: '  ' };
  const edits: TextEdit[] = [];
  const outcomes: LoopOutcome[] = [];
  let names = text;
  const habits = { quote: quoteOf(text), semicolons: usesSemicolons(text), logger: loggerOf(ts, sf) };
  // Helper style: the group's own wait helper when this file calls it, else one added to the module.
  const reuse = target.style === 'helper' && target.reuseHelper?.file === input.file ? target.reuseHelper : null;
  let helperName: string | null = reuse?.name ?? null;
  let helperAdded = false;
  const helperCall = (socket: string, indent: string, leave: 'return' | 'break'): string => {
    if (helperName === null) {
      helperName = freshName(names, 'waitForOpen');
      names += ` ${helperName}`;
    }
    return renderReadyStateCall({
      socket,
      ...(constants ? { constants } : {}),
      call: `${helperName}(${socket}${reuse?.argsAfterSocket ?? ''})`,
      indent,
      indentUnit: style.indentUnit,
      eol: style.eol,
      quote: habits.quote,
      semicolons: habits.semicolons,
      logger: habits.logger,
      logs: target.logs,
      timeoutMs: ms(target.timeoutSeconds) ?? 0,
      leave,
    });
  };
  const regionScope = (loop: MessageLoop): TsNode | null => regionScopeOf(ts, sf, loop);
  // Start-time names are numbered per scope (the function the block goes in; a top-level loop's
  // body): a name nothing in that scope uses, nor a block of a scope around or inside it.
  const chosen = new Map<TsNode | null, string[]>();
  const startNameFor = (scope: TsNode | null): string => {
    let taken = scope === null ? names : text.slice(scope.pos, scope.end);
    for (const [other, list] of chosen) {
      if (scope === null || other === null || isInside(other, scope) || isInside(scope, other)) taken += ` ${list.join(' ')}`;
    }
    const name = freshName(taken, 'wsOpenWaitStart');
    chosen.set(scope, [...(chosen.get(scope) ?? []), name]);
    names += ` ${name}`;
    return name;
  };
  const render = (socket: string, indent: string, leave: 'return' | 'break', scope: TsNode | null): string => {
    if (target.style === 'helper') return helperCall(socket, indent, leave);
    const startName = startNameFor(scope);
    return renderReadyStateGuard({
      socket,
      ...(constants ? { constants } : {}),
      indent,
      indentUnit: style.indentUnit,
      eol: style.eol,
      ...habits,
      timeoutMs: ms(target.timeoutSeconds) ?? 0,
      intervalMs: ms(target.intervalSeconds) ?? 0,
      startName,
      clock: target.clock,
      onTimeout: target.onTimeout,
      leave,
      logs: target.logs,
      exitsOnTerminalState: target.exitsOnTerminalState,
    });
  };
  const overlaps = (e: TextEdit): boolean => edits.some((o) => e.start < o.end && o.start < e.end || (e.start === e.end && o.start < e.start && e.start < o.end));
  // Each accepted outcome's edit, or the outcome whose block already guards its loop.
  const editOf = new Map<LoopOutcome, TextEdit>();
  const coveredBy = new Map<LoopOutcome, LoopOutcome>();
  const add = (loop: MessageLoop, edit: TextEdit | string, action: LoopOutcome['action']): LoopOutcome => {
    if (typeof edit !== 'string' && overlaps(edit)) edit = 'its guard would overlap the edit of another loop; run fix again';
    const outcome: LoopOutcome = typeof edit === 'string' ? { loop, skipped: edit, action: null } : { loop, skipped: null, action };
    outcomes.push(outcome);
    if (typeof edit !== 'string') {
      edits.push(edit);
      editOf.set(outcome, edit);
      helperAdded ||= target.style === 'helper' && !reuse;
    }
    return outcome;
  };
  // Blocks inserted before a loop in a function: a later loop on the same socket after it, in the
  // same function, is guarded by it (the analyser's climb reaches it) unless the socket is assigned
  // in between.
  const blocks: { fn: TsNode; socket: string; stmt: TsNode; outcome: LoopOutcome }[] = [];
  const coveringBlock = (loop: MessageLoop, stmt: TsNode): LoopOutcome | null => {
    const fn = enclosingFunction(ts, stmt);
    if (fn === null) return null;
    for (const b of blocks) {
      if (b.fn !== fn || b.socket !== loop.receive.connection || b.outcome.skipped !== null) continue;
      let a: TsNode = stmt;
      while (a.parent && a.parent !== b.stmt.parent && a !== fn) a = a.parent;
      if (a.parent !== b.stmt.parent || a.pos < b.stmt.end) continue;
      const list = (b.stmt.parent as unknown as { statements: readonly TsNode[] }).statements;
      const between = list.slice(list.indexOf(b.stmt), list.indexOf(a) + 1);
      if (!between.some((st) => assignsTo(ts, sf, st, loop.receive.connection))) return b.outcome;
    }
    return null;
  };

  // In file order, so that the start-time names count down the file.
  const work = [...input.failing.map((loop) => ({ loop, upgrade: false })), ...input.upgrade.map((loop) => ({ loop, upgrade: true }))];
  work.sort((x, y) => x.loop.span.start.line - y.loop.span.start.line || x.loop.span.start.column - y.loop.span.start.column);
  // The block leaves with a bare `return` (not a `break` or a `throw`): not from a function that returns a value.
  const returnRefusal = (loop: MessageLoop, leave: 'return' | 'break'): string | null => {
    if (target.onTimeout === 'raise' || (target.onTimeout === 'recheck' && leave === 'break')) return null;
    const at = statementAt(ts, sf, loop.span.start.line, loop.span.start.column);
    return at ? valueReturnRefusal(ts, sf, at, loop) : null;
  };
  // The helper's call is followed by the inline block's re-check: only that timeout path.
  const styleRefusal =
    target.style === 'helper' && target.onTimeout !== 'recheck'
      ? `the group's guards ${target.onTimeout === 'raise' ? 'throw' : 'return'} on timeout without a re-check, which the helper style (a wait, then the re-check) cannot follow; use --style inline, or fix --upgrade`
      : null;
  for (const { loop, upgrade } of work) {
    const unsafe = optionalChainRefusal(ts, sf, loop) ?? openBeforeResponseRefusal(loop, input.issues) ?? styleRefusal;
    if (unsafe) {
      add(loop, unsafe, null);
      continue;
    }
    if (upgrade) {
      const region = plainSocketRefusal(loop) ?? upgradeRegion(ts, sf, text, loop);
      if (typeof region === 'string') add(loop, region, null);
      else add(loop, returnRefusal(loop, region.leave) ?? { start: region.start, end: region.end, text: render(loop.receive.connection, region.indent, region.leave, regionScope(loop)) }, 'upgrade');
      continue;
    }
    const site: TsSite | string = target.unmatched ?? plainSocketRefusal(loop) ?? insertSite({ ts, sf, absPath: input.absPath, target, placement: input.placement }, loop);
    if (typeof site === 'string') {
      add(loop, site, null);
      continue;
    }
    // An unbounded wait (HG003) is replaced, as the Python fixer does: a guard after it would
    // never run while it hangs.
    const hang = loop.guard.kind === 'unbounded' && !loop.guard.helper ? upgradeRegion(ts, sf, text, loop) : null;
    if (typeof hang === 'string') {
      add(loop, `the unbounded wait (line ${loop.guard.span?.start.line ?? '?'}) cannot be replaced: ${hang}`, null);
      continue;
    }
    // Before the loop statement (in a function): the socket must be in scope there.
    const refused = returnRefusal(loop, hang ? hang.leave : site.leave) ?? (!hang && site.leave === 'return' ? scopeRefusal(ts, loop, site.stmt) : null);
    if (refused) {
      add(loop, refused, null);
      continue;
    }
    if (hang) {
      add(loop, { start: hang.start, end: hang.end, text: render(loop.receive.connection, hang.indent, hang.leave, regionScope(loop)) }, 'replace');
      continue;
    }
    const covering = site.leave === 'return' ? coveringBlock(loop, site.stmt) : null;
    if (covering) {
      const outcome: LoopOutcome = { loop, skipped: null, action: 'insert' };
      outcomes.push(outcome);
      coveredBy.set(outcome, covering);
      continue;
    }
    const scope = enclosingFunction(ts, site.stmt) ?? (site.wrap ? site.stmt : (site.stmt.parent ?? null));
    const block = (indent: string): string => render(loop.receive.connection, indent, site.leave, scope);
    if (site.wrap) {
      const multiline = hasMultilineTemplate(ts, sf, site.stmt);
      add(loop, multiline ? 'the statement to wrap in braces holds a multi-line template literal' : wrapEdit(ts, text, sf, site.stmt, style, block), 'insert');
      continue;
    }
    const start = site.stmt.getStart(sf);
    const ls = lineStart(text, start);
    const indent = text.slice(ls, start);
    // Above the comment lines that lead the statement (they describe the loop, not the guard).
    const comments = new Set((ts.getLeadingCommentRanges(text, site.stmt.pos) ?? []).map((r) => r.pos));
    const at = aboveLeadingComments(text, ls, (offset) => comments.has(offset));
    const outcome = add(loop, indent.trim() !== '' ? 'the statement to guard does not start its line' : { start: at, end: at, text: block(indent) }, 'insert');
    const fn = site.leave === 'return' ? enclosingFunction(ts, site.stmt) : null;
    if (fn && outcome.skipped === null) blocks.push({ fn, socket: loop.receive.connection, stmt: site.stmt, outcome });
  }

  const helperText =
    helperAdded && helperName !== null
      ? renderReadyStateHelper({
          name: helperName,
          typed: !/\.(c|m)?jsx?$/i.test(input.absPath),
          indentUnit: style.indentUnit,
          eol: style.eol,
          semicolons: habits.semicolons,
          timeoutMs: ms(target.timeoutSeconds) ?? 0,
          intervalMs: ms(target.intervalSeconds) ?? 0,
          clock: target.clock,
          exitsOnTerminalState: target.exitsOnTerminalState,
          ...(constants ? { constants } : {}),
        })
      : null;
  // The file's edits for a set of loops: theirs, the helper they call, and an `import { once }
  // from 'node:events'` only their replaced waits used.
  const compose = (loopEdits: readonly TextEdit[], rewrites: boolean): TextEdit[] => {
    const all = [...loopEdits];
    if (helperText !== null && loopEdits.length) all.push(helperEdit(ts, sf, text, helperText, style.eol));
    if (rewrites) all.push(...staleImports(ts, sf, text, applyEdits(text, all)));
    return all;
  };
  const accepted = outcomes.filter((o) => o.skipped === null);
  const rewrites = (os: readonly LoopOutcome[]): boolean => os.some((o) => o.action === 'upgrade' || o.action === 'replace');
  const full = compose(edits, rewrites(accepted));
  if (!full.length) return { edits: [], outcomes, typeRefused: false };
  const noWorse = (es: readonly TextEdit[]): Promise<string | null> => input.typeCheck.noWorse(input.absPath, text, applyEdits(text, es));
  const worse = await noWorse(full);
  if (!worse) return { edits: full, outcomes, typeRefused: false };
  const own = accepted.filter((o) => editOf.has(o));
  if (own.length < 2) return { edits: [], outcomes: outcomes.map((o) => (o.skipped === null ? { ...o, skipped: worse, action: null } : o)), typeRefused: true };
  // One loop's guard can fail where the others compile (a socket type without the constants the
  // block reads): each loop on its own, then the ones that compile together. A loop another's
  // block guards stands or falls with that block.
  const alone = new Map<LoopOutcome, string | null>();
  for (const o of own) alone.set(o, await noWorse(compose([editOf.get(o) as TextEdit], rewrites([o]))));
  const ownReason = (o: LoopOutcome): string | null => alone.get(coveredBy.get(o) ?? o) ?? null;
  const kept = own.filter((o) => alone.get(o) === null);
  const keptEdits = kept.map((o) => editOf.get(o) as TextEdit);
  const together = kept.length ? compose(keptEdits, rewrites(kept)) : [];
  const stillWorse = together.length ? await noWorse(together) : null;
  const reason = (o: LoopOutcome): string | null => (stillWorse ? stillWorse : ownReason(o));
  return {
    typeRefused: true,
    edits: stillWorse ? [] : together,
    outcomes: outcomes.map((o) => {
      const why = o.skipped === null ? reason(o) : null;
      return why ? { ...o, skipped: why, action: null } : o;
    }),
  };
}

/** Whether the module's top level imports or declares `name` (so the global of that name is hidden). */
function bindsName(ts: TS, sf: TsSourceFile, name: string): boolean {
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st)) {
      const c = st.importClause;
      const named = c?.namedBindings;
      if (c?.name?.text === name) return true;
      if (named && (ts.isNamespaceImport(named) ? named.name.text === name : named.elements.some((e) => e.name.text === name))) return true;
    } else if ((ts.isClassDeclaration(st) || ts.isFunctionDeclaration(st)) && st.name?.text === name) return true;
    else if (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => ts.isIdentifier(d.name) && d.name.text === name)) return true;
    else if (ts.isImportEqualsDeclaration(st) && st.name.text === name) return true;
  }
  return false;
}

/** How often each name is written as an identifier outside import declarations. */
function identifierCounts(ts: TS, sf: TsSourceFile): Map<string, number> {
  const counts = new Map<string, number>();
  const stack: TsNode[] = [sf];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    if (ts.isImportDeclaration(n)) continue;
    if (ts.isIdentifier(n)) counts.set(n.text, (counts.get(n.text) ?? 0) + 1);
    n.forEachChild((c) => {
      stack.push(c);
    });
  }
  return counts;
}

/**
 * Import declarations of `events`/`node:events` whose every named binding was used before the
 * edits and is not after (what an upgrade of `once(ws, 'open')` waits leaves behind): removed,
 * line and all. A declaration that keeps any binding, or has a default or namespace import, stays.
 */
function staleImports(ts: TS, sf: TsSourceFile, before: string, after: string): TextEdit[] {
  const was = identifierCounts(ts, sf);
  const now = identifierCounts(ts, parseSource(ts, sf.fileName, after));
  const out: TextEdit[] = [];
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !ts.isStringLiteral(st.moduleSpecifier) || !/^(node:)?events$/.test(st.moduleSpecifier.text)) continue;
    const clause = st.importClause;
    const named = clause?.namedBindings;
    if (!clause || clause.name || !named || !ts.isNamedImports(named) || named.elements.length === 0) continue;
    if (!named.elements.every((e) => (was.get(e.name.text) ?? 0) > 0 && (now.get(e.name.text) ?? 0) === 0)) continue;
    const start = lineStart(before, st.getStart(sf));
    const nl = before.indexOf('\n', st.getEnd());
    // Only a declaration alone on its lines: anything else sharing them is left as it is.
    if (before.slice(start, st.getStart(sf)).trim() !== '' || before.slice(st.getEnd(), nl < 0 ? before.length : nl).trim() !== '') continue;
    out.push({ start, end: nl < 0 ? before.length : nl + 1, text: '' });
  }
  return out;
}

/** The scope a replaced or upgraded guard's start time is declared in: the loop's function, else the file. */
function regionScopeOf(ts: TS, sf: TsSourceFile, loop: MessageLoop): TsNode | null {
  const at = statementAt(ts, sf, loop.span.start.line, loop.span.start.column);
  return at ? enclosingFunction(ts, at) : null;
}

/** Whether code in `root` assigns another value than null/undefined to `socket` (its text: `ws`, `this.ws`). */
function assignsTo(ts: TS, sf: TsSourceFile, root: TsNode, socket: string): boolean {
  const kinds = [ts.SyntaxKind.EqualsToken, ts.SyntaxKind.QuestionQuestionEqualsToken, ts.SyntaxKind.BarBarEqualsToken, ts.SyntaxKind.AmpersandAmpersandEqualsToken];
  const stack: TsNode[] = [root];
  while (stack.length) {
    const n = stack.pop() as TsNode;
    if (ts.isBinaryExpression(n) && kinds.includes(n.operatorToken.kind) && bare(ts, n.left).getText(sf) === socket.replace(/!+$/, '')) {
      const r = bare(ts, n.right);
      if (!(r.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(r) && r.text === 'undefined') || ts.isVoidExpression(r))) return true;
    }
    n.forEachChild((c) => {
      stack.push(c);
    });
  }
  return false;
}

function bare(ts: TS, e: TsNode): TsNode {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isNonNullExpression(x) || ts.isAsExpression(x)) x = x.expression;
  return x;
}
