// The names a guard needs, as this module binds them, and the import / logger lines to add
// for those it lacks: after the docstring and `from __future__`, beside the existing imports.
import type { GuardNames } from '../../codemods/python-starlette.js';
import { boundNames, isTypeCheckingBlock, visitBindings, type PyFunction, type PyModule } from '../languages/python/module.js';
import { field, named, statements, type PyNode } from '../languages/python/nodes.js';
import type { TextEdit } from './edits.js';
import { lineEndAfterBreak, lineStart } from './text-style.js';
import { STDLIB_MODULES } from './stdlib-modules.js';

export interface NamePlan {
  names: GuardNames;
  /** Lines to add after the imports (without line breaks), in order. */
  importLines: string[];
  /** `logger = logging.getLogger(__name__)` when the module has no logger. */
  loggerLine: string | null;
  /**
   * `_hg_logger = logger` right after the statement that defines the module's logger, when a
   * function the guard goes in binds that name itself (`for logger in …`).
   */
  loggerAlias: { after: number; line: string } | null;
  /** Why the names cannot be imported at the top of the module (the file is then left alone), or null. */
  refusal: string | null;
}

function localNameFor(module: PyModule, qualified: string): string | null {
  for (const [local, q] of module.imports.names) if (q === qualified) return local;
  return null;
}

function localEndingWith(module: PyModule, suffix: string): string | null {
  for (const [local, q] of module.imports.names) if (q === suffix || q.endsWith(`.${suffix}`)) return local;
  return null;
}

/** `from fastapi import WebSocket` → `fastapi.websockets` (fastapi re-exports WebSocketState only there). */
function stateModuleOf(module: PyModule): string {
  for (const q of module.imports.names.values()) {
    if (!q.endsWith('.WebSocket')) continue;
    const mod = q.slice(0, -'.WebSocket'.length);
    if (mod === 'fastapi' || mod === 'fastapi.websockets') return 'fastapi.websockets';
    if (mod.startsWith('starlette')) return 'starlette.websockets';
  }
  return module.frameworks.includes('fastapi') ? 'fastapi.websockets' : 'starlette.websockets';
}

/**
 * A call that makes a logger: `logging.getLogger(…)`, structlog's `get_logger()`, celery's
 * `get_task_logger(…)`, a project's `make_logger(…)`, a `LoggerAdapter(…)`.
 */
const LOGGER_CALL = /(?:^|\.)(?:\w*logger|LoggerAdapter)$/i;
/** An annotation that says logger: `logging.Logger`, `structlog.stdlib.BoundLogger`, `FilteringBoundLogger`. */
const LOGGER_TYPE = /^(?:[\w.]+\.)?(?:Logger|\w*BoundLogger\w*|LoggerAdapter)(?:\[.*\])?$/s;
/** Names a project module exports its logger under (`from app.log import logger`). */
const IMPORTED_LOGGER_NAMES = new Set(['logger', 'LOGGER', '_logger']);

function isLoggerValue(right: PyNode): boolean {
  const value = right.type === 'call' ? field(right, 'function') : null;
  // `logging.getLogger(__name__).getChild("ws")`
  return value !== null && (LOGGER_CALL.test(value.text) || (/\.getChild$/.test(value.text) && /logger/i.test(value.text)));
}

/**
 * The module's logger — a top-level `x = logging.getLogger(…)` (structlog's `get_logger()`, an
 * `x: logging.Logger = …`), loguru's `logger`, a project's `from app.log import logger` — and
 * the statement that binds it. A name that is merely called `log` (`from math import log`,
 * `log: list[str] = []`) is not one.
 */
function moduleLogger(module: PyModule): { name: string; format: GuardNames['loggerFormat']; statement: PyNode | null } | null {
  for (const st of statements(module.root)) {
    const expr = st.type === 'expression_statement' ? named(st)[0] : null;
    if (expr?.type !== 'assignment') continue;
    const left = field(expr, 'left');
    const right = field(expr, 'right');
    const type = field(expr, 'type');
    if (left?.type !== 'identifier' || !right) continue;
    if (isLoggerValue(right) || (type !== null && LOGGER_TYPE.test(type.text.trim()))) return { name: left.text, format: 'percent', statement: st };
  }
  // loguru formats its arguments with str.format.
  const loguru = localNameFor(module, 'loguru.logger');
  if (loguru) return { name: loguru, format: 'brace', statement: null };
  for (const [local, q] of module.imports.names) {
    const original = q.split('.').pop() ?? '';
    const mod = q.split('.')[0] ?? '';
    if (IMPORTED_LOGGER_NAMES.has(original) && !STDLIB_MODULES.has(mod) && q.includes('.')) return { name: local, format: 'percent', statement: null };
  }
  return null;
}

/**
 * The names a function binds in its own scope, and those its enclosing functions bind (a
 * closure sees them): parameters, assignment / `for` / `with … as` / `except … as` targets,
 * imports, nested `def`/`class` names, `:=` (also inside a comprehension). A comprehension's
 * own variables do not leak. Used anywhere in the function, such a name is local everywhere in
 * it: a guard that reads it before the assignment raises UnboundLocalError, after it reads the
 * wrong value. `global x` and an assignment rebind the module's own `x` (the next guard reads the
 * new value): it counts too. Each name maps to what it
 * is imported as when every binding is the same import (a lazy `from fastapi.websockets import
 * WebSocketState` is that class), else null.
 */
export type LocalNames = ReadonlyMap<string, string | null>;

export function localNames(fn: PyFunction): Map<string, string | null> {
  const out = new Map<string, string | null>();
  for (let f: PyFunction | null = fn; f; f = f.parent) {
    if (f.node.type !== 'function_definition') continue;
    const own = new Map<string, string | null>(f.params.map((p) => [p.name, null]));
    const bind = (name: string, imported: string | null): void => {
      own.set(name, own.has(name) && own.get(name) !== imported ? null : imported);
    };
    const body = field(f.node, 'body');
    if (body) visitBindings(body, {}, bind);
    for (const [name, imported] of own) if (!out.has(name)) out.set(name, imported);
  }
  return out;
}

/** `base`, else `base2`, `base3`, …: the first not taken. */
function freeName(base: string, taken: (name: string) => boolean): string {
  let name = base;
  for (let i = 2; taken(name); i++) name = `${base}${i}`;
  return name;
}

/**
 * The names the guard uses, as the module binds them, or imported under a free name. `local`:
 * the names bound in the functions the guard goes in (localNames) — a module binding of one of
 * them is not what the guard would read there.
 */
export function planNames(module: PyModule, needsTime: boolean, local: LocalNames = new Map()): NamePlan {
  const importLines: string[] = [];
  const bound = boundNames(module.root);
  const taken = (name: string): boolean => bound.has(name) || local.has(name);
  /** Whether the functions bind `name` to something other than `qualified` (what the module binds it to). */
  const shadowed = (name: string, qualified: string | undefined): boolean => local.has(name) && local.get(name) !== qualified;
  // A standard-library module as the module binds it, else imported: under its own name, or —
  // where that name means something else (`from time import time`, a parameter `time`) — under `_hg_<name>`.
  const pick = (mod: string): string => {
    const existing = localNameFor(module, mod);
    if (existing && !shadowed(existing, mod)) return existing;
    if (!taken(mod)) {
      importLines.push(`import ${mod}`);
      return mod;
    }
    const alias = freeName(`_hg_${mod}`, taken);
    importLines.push(`import ${mod} as ${alias}`);
    return alias;
  };
  const asyncio = pick('asyncio');
  const time = needsTime ? pick('time') : 'time';
  const found = moduleLogger(module);
  let logger: { name: string; format: GuardNames['loggerFormat'] };
  let loggerLine: string | null = null;
  let loggerAlias: NamePlan['loggerAlias'] = null;
  if (found && !shadowed(found.name, module.imports.names.get(found.name))) logger = found;
  else if (found?.statement) {
    // The module's logger, under a name the function does not rebind.
    logger = { name: freeName('_hg_logger', taken), format: found.format };
    loggerAlias = { after: found.statement.endIndex, line: `${logger.name} = ${found.name}` };
  } else if (found && module.imports.names.has(found.name)) {
    // An imported logger (loguru's, a project's): imported again under a free name.
    const q = module.imports.names.get(found.name) as string;
    const dot = q.lastIndexOf('.');
    logger = { name: freeName('_hg_logger', taken), format: found.format };
    importLines.push(`from ${q.slice(0, dot)} import ${q.slice(dot + 1)} as ${logger.name}`);
  } else {
    const logging = pick('logging');
    logger = { name: taken('logger') ? freeName('_hg_logger', taken) : 'logger', format: 'percent' };
    loggerLine = `${logger.name} = ${logging}.getLogger(__name__)`;
  }
  // Imported only under `if TYPE_CHECKING:` is not bound when the guard runs: import it for real.
  let webSocketState = localEndingWith(module, 'WebSocketState');
  if (webSocketState && typingOnly(module, (st) => bindsName(st, webSocketState as string))) webSocketState = null;
  if (webSocketState && shadowed(webSocketState, module.imports.names.get(webSocketState))) webSocketState = null;
  // Bound only under `if TYPE_CHECKING:` is free at run time.
  const runtime = boundNames(module.root, [], true);
  // Imported only inside another function (`def handle(): from starlette.websockets import
  // WebSocketState`): not bound where the guard goes, unless the guard's own functions import it.
  if (webSocketState && !runtime.has(webSocketState) && local.get(webSocketState) !== module.imports.names.get(webSocketState)) webSocketState = null;
  let refusal: string | null = null;
  if (!webSocketState) {
    const from = stateModuleOf(module);
    const stateTaken = (name: string): boolean => runtime.has(name) || local.has(name);
    webSocketState = stateTaken('WebSocketState') ? freeName('_hg_WebSocketState', stateTaken) : 'WebSocketState';
    importLines.push(`from ${from} import WebSocketState${webSocketState === 'WebSocketState' ? '' : ` as ${webSocketState}`}`);
    const pkg = from.split('.')[0];
    const conditional = onlyConditionalFramework(module);
    refusal =
      conditional === 'type-checking'
        ? `the module imports ${pkg} only under \`if TYPE_CHECKING:\` (never at run time): a top-level \`from ${from} import WebSocketState\` would import it at run time; add that import yourself if it is intended, then run fix again`
        : conditional
          ? `the module imports ${pkg} only inside a function or a try/if block (an optional dependency): a top-level \`from ${from} import WebSocketState\` would import it unconditionally; import WebSocketState where the framework is imported, then run fix again`
          : null;
  }
  return { names: { webSocketState, asyncio, time, logger: logger.name, loggerFormat: logger.format }, importLines, loggerLine, loggerAlias, refusal };
}

/**
 * Whether the module imports FastAPI/Starlette somewhere but never at its top level outside a
 * block: a lazy `create_app()`, `try: import fastapi except ImportError`, `if TYPE_CHECKING:`.
 */
function onlyConditionalFramework(module: PyModule): boolean | 'type-checking' {
  const framework = (q: string): boolean => /^(?:fastapi|starlette)(?:\.|$)/.test(q);
  if (![...module.imports.names.values()].some(framework)) return false;
  if (statements(module.root).some((st) => isImport(st) && framework(importedModule(st)))) return false;
  return typingOnly(module, (st) => framework(importedModule(st))) ? 'type-checking' : true;
}

/** Whether the module has imports passing the test and all of them are under `if TYPE_CHECKING:`. */
function typingOnly(module: PyModule, test: (importStatement: PyNode) => boolean): boolean {
  const imports = module.root.descendantsOfType(['import_statement', 'import_from_statement']).filter((st): st is PyNode => st !== null && test(st));
  const underTypeChecking = (st: PyNode): boolean => {
    for (let n = st.parent; n; n = n.parent) if (isTypeCheckingBlock(n)) return true;
    return false;
  };
  return imports.length > 0 && imports.every(underTypeChecking);
}

function bindsName(st: PyNode, local: string): boolean {
  return st.childrenForFieldName('name').some((item) => {
    if (!item) return false;
    const alias = item.type === 'aliased_import' ? field(item, 'alias') : null;
    return (alias ? alias.text : (item.text.split('.')[0] ?? item.text)) === local;
  });
}

function isImport(st: PyNode): boolean {
  return st.type === 'import_statement' || st.type === 'import_from_statement' || st.type === 'future_import_statement';
}

function isDocstring(st: PyNode): boolean {
  return st.type === 'expression_statement' && named(st)[0]?.type === 'string';
}

/** isort's section of an import statement (first-party modules cannot be told from third-party ones here). */
function sectionOf(st: PyNode): 'future' | 'stdlib' | 'third-party' | 'local' {
  if (st.type === 'future_import_statement') return 'future';
  if (st.type === 'import_from_statement' && /^\./.test(field(st, 'module_name')?.text ?? '')) return 'local';
  return STDLIB_MODULES.has(importedModule(st)) ? 'stdlib' : 'third-party';
}

function importedModule(st: PyNode): string {
  if (st.type === 'future_import_statement') return '__future__';
  const mod = st.type === 'import_from_statement' ? field(st, 'module_name') : st.childrenForFieldName('name')[0];
  return (mod?.text ?? '').replace(/^\.+/, '').split('.')[0] ?? '';
}

/**
 * New imports go beside their kind, as isort would put them: standard-library ones in sorted
 * place in a contiguous standard-library block (else after the last standard-library import, or
 * at the top of the import block, after `__future__`); `WebSocketState` into the module's own
 * `from <its module> import …`, else after the last import of its package; the logger after all
 * imports. Existing lines are never moved.
 */
export function importEdits(module: PyModule, plan: NamePlan, eol: string): TextEdit[] {
  if (plan.importLines.length === 0 && !plan.loggerLine && !plan.loggerAlias) return [];
  const text = module.source;
  const top = statements(module.root);
  const limit = firstDefinition(top)?.startIndex ?? Infinity;
  const imports = top.filter((st) => isImport(st) && st.startIndex < limit);
  const docstring = top[0] && isDocstring(top[0]) ? top[0] : null;
  const after = (st: PyNode): number => lineEndAfterBreak(text, st.endIndex);
  const header = /^(?:[ \t]*#[^\r\n]*(?:\r\n|\r|\n))*/.exec(text)?.[0]?.length ?? 0;
  const blockStart = docstring ? after(docstring) : header;
  const edits: TextEdit[] = [];
  const lineBreakAt = (offset: number): string => (offset === text.length && text.length > 0 && !/[\r\n]$/.test(text) ? eol : '');

  const stdlibLines = plan.importLines.filter((l) => /^import /.test(l)).sort();
  const otherLines = plan.importLines.filter((l) => !/^import /.test(l));
  if (stdlibLines.length) {
    const futures = imports.filter((st) => importedModule(st) === '__future__');
    const std = imports.filter((st) => STDLIB_MODULES.has(importedModule(st)) && importedModule(st) !== '__future__');
    const firstOther = imports.find((st) => importedModule(st) !== '__future__');
    const lastStd = std[std.length - 1];
    const lastFuture = futures[futures.length - 1];
    const offset = lastStd ? after(lastStd) : firstOther ? lineStart(text, firstOther.startIndex) : lastFuture ? after(lastFuture) : blockStart;
    // In one contiguous standard-library block, each new line goes where isort would sort it.
    const contiguous = std.length > 0 && std.every((st, i) => imports.indexOf(st) === imports.indexOf(std[0] as PyNode) + i);
    const key = sortKey(std);
    // Right after `from __future__ import …`: a section of its own.
    const afterFuture = !lastStd && !firstOther && lastFuture !== undefined;
    for (const [i, line] of stdlibLines.entries()) {
      const next = contiguous ? std.find((st) => key(st.text) > key(line)) : undefined;
      const at = next ? lineStart(text, next.startIndex) : offset;
      edits.push({ start: at, end: at, text: lineBreakAt(at) + `${afterFuture && i === 0 ? eol : ''}${line}${eol}` });
    }
    // A new standard-library section above third-party or local imports: isort (ruff's I001) wants a blank line between.
    if (!lastStd && firstOther) (edits[edits.length - 1] as TextEdit).text += eol;
  }
  for (const line of otherLines) {
    const merged = mergeInto(imports, line, text, eol);
    if (merged) {
      edits.push(...merged);
      continue;
    }
    const pkg = /^from ([\w]+)/.exec(line)?.[1] ?? '';
    const same = imports.filter((st) => importedModule(st) === pkg);
    // isort's sections: a third-party line goes with the third-party block, above the relative (local) imports.
    const thirdParty = imports.filter((st) => sectionOf(st) === 'third-party');
    const firstLocal = imports.find((st) => sectionOf(st) === 'local');
    const anchor = same[same.length - 1] ?? thirdParty[thirdParty.length - 1];
    if (!anchor && firstLocal) {
      const at = lineStart(text, firstLocal.startIndex);
      edits.push({ start: at, end: at, text: `${line}${eol}${eol}` });
      continue;
    }
    const last = anchor ?? imports[imports.length - 1];
    const offset = last ? after(last) : blockStart;
    // After standard-library imports only: a section of its own.
    const gap = !anchor && last ? eol : '';
    edits.push({ start: offset, end: offset, text: lineBreakAt(offset) + `${gap}${line}${eol}` });
  }
  if (plan.loggerLine) {
    const last = imports[imports.length - 1];
    const offset = last ? after(last) : blockStart;
    edits.push({ start: offset, end: offset, text: `${lineBreakAt(offset)}${eol}${plan.loggerLine}${eol}` });
  }
  if (imports.length === 0 && edits.length) {
    const lastEdit = edits[edits.length - 1] as TextEdit;
    lastEdit.text += eol;
  }
  if (plan.loggerAlias) {
    const offset = lineEndAfterBreak(text, plan.loggerAlias.after);
    edits.push({ start: offset, end: offset, text: `${lineBreakAt(offset)}${plan.loggerAlias.line}${eol}` });
  }
  return edits;
}

/**
 * How isort orders the standard-library block: by module, `import x` before `from x import`
 * unless the block already mixes them (force_sort_within_sections).
 */
function sortKey(std: PyNode[]): (line: string) => string {
  const kinds = std.map((st) => st.type === 'import_from_statement');
  const mixed = kinds.some((isFrom, i) => isFrom && kinds[i + 1] === false);
  return (line) => {
    const m = /^\s*(import|from)\s+([\w.]+)/.exec(line);
    const mod = (m?.[2] ?? line).toLowerCase();
    return mixed ? mod : `${m?.[1] === 'from' ? 1 : 0} ${mod}`;
  };
}

/**
 * `from M import Name` when the module already has a top-level `from M import …`: the name is
 * added to it (in sorted place on one line; last in a parenthesised list, on a line of its own
 * after the last name's comment), not a second line.
 */
function mergeInto(imports: PyNode[], line: string, text: string, eol: string): TextEdit[] | null {
  const m = /^from ([\w.]+) import (\w+)$/.exec(line);
  if (!m) return null;
  const [, mod, name] = m as unknown as [string, string, string];
  const st = imports.find((s) => s.type === 'import_from_statement' && field(s, 'module_name')?.text === mod && !s.text.includes('*'));
  if (!st) return null;
  const names = st.childrenForFieldName('name').filter((n): n is PyNode => n !== null);
  const last = names[names.length - 1];
  if (!last) return null;
  if (!/[\r\n]/.test(st.text)) {
    const plain = names.map((n) => (n.type === 'aliased_import' ? (field(n, 'name')?.text ?? n.text) : n.text));
    const sorted = plain.every((n, i) => i === 0 || (plain[i - 1] as string) <= n);
    const before = sorted ? names.find((_, i) => (plain[i] as string) > name) : undefined;
    return [before ? { start: before.startIndex, end: before.startIndex, text: `${name}, ` } : { start: last.endIndex, end: last.endIndex, text: `, ${name}` }];
  }
  // Backslash continuations, a name on the opening line: a line of its own.
  if (!st.text.includes('(') || lineStart(text, last.startIndex) === lineStart(text, st.startIndex)) return null;
  const comma = text[last.endIndex] === ',';
  const close = st.startIndex + st.text.lastIndexOf(')');
  let end = last.endIndex;
  while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end++;
  // `    WebSocketDisconnect)`: beside it, inside the parentheses.
  if (close < end) return comma ? [{ start: last.endIndex + 1, end: last.endIndex + 1, text: ` ${name},` }] : [{ start: last.endIndex, end: last.endIndex, text: `, ${name}` }];
  // A line of its own after the last name's line, whose trailing comment stays where it is.
  const indent = /[ \t]*/.exec(text.slice(lineStart(text, last.startIndex)))?.[0] ?? '    ';
  const edits: TextEdit[] = comma ? [] : [{ start: last.endIndex, end: last.endIndex, text: ',' }];
  edits.push({ start: end, end, text: `${eol}${indent}${name}${comma ? ',' : ''}` });
  return edits;
}

function firstDefinition(top: PyNode[]): PyNode | null {
  return top.find((st) => ['function_definition', 'class_definition', 'decorated_definition'].includes(st.type)) ?? null;
}

/** Where the helper style's `async def` goes: before the first top-level def or class. */
export function helperOffset(module: PyModule): number {
  const first = firstDefinition(statements(module.root));
  return first ? first.startIndex : module.source.length;
}
