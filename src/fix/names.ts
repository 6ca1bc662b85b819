// The names a guard needs, as this module binds them, and the import / logger lines to add
// for those it lacks: after the docstring and `from __future__`, beside the existing imports.
import type { GuardNames } from '../../codemods/python-starlette.js';
import { boundNames, type PyModule } from '../languages/python/module.js';
import { field, named, statements, type PyNode } from '../languages/python/nodes.js';
import type { TextEdit } from './edits.js';
import { lineEndAfterBreak } from './text-style.js';

export interface NamePlan {
  names: GuardNames;
  /** Lines to add after the imports (without line breaks), in order. */
  importLines: string[];
  /** `logger = logging.getLogger(__name__)` when the module has no logger. */
  loggerLine: string | null;
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

const LOGGER_NAMES = ['logger', 'log', 'LOGGER', '_logger', '_log', 'LOG'];

/** A module-level logger: `x = logging.getLogger(…)`, structlog, loguru's `logger`, or a conventional name. */
function moduleLogger(module: PyModule): string | null {
  for (const st of statements(module.root)) {
    const expr = st.type === 'expression_statement' ? named(st)[0] : null;
    if (expr?.type !== 'assignment') continue;
    const left = field(expr, 'left');
    const right = field(expr, 'right');
    if (left?.type === 'identifier' && right && /\b(getLogger|get_logger|getlogger)\s*\(/.test(right.text)) return left.text;
  }
  const loguru = localNameFor(module, 'loguru.logger');
  if (loguru) return loguru;
  const bound = boundNames(module.root);
  return LOGGER_NAMES.find((n) => bound.has(n)) ?? null;
}

export function planNames(module: PyModule, needsTime: boolean): NamePlan {
  const importLines: string[] = [];
  const bound = boundNames(module.root);
  const pick = (qualified: string, fallback: string, line: string): string => {
    const local = localNameFor(module, qualified);
    if (local) return local;
    if (!bound.has(fallback)) importLines.push(line);
    return fallback;
  };
  const asyncio = pick('asyncio', 'asyncio', 'import asyncio');
  const time = needsTime ? pick('time', 'time', 'import time') : 'time';
  let logger = moduleLogger(module);
  let loggerLine: string | null = null;
  if (!logger) {
    const logging = pick('logging', 'logging', 'import logging');
    logger = 'logger';
    loggerLine = `logger = ${logging}.getLogger(__name__)`;
  }
  let webSocketState = localEndingWith(module, 'WebSocketState');
  if (!webSocketState) {
    webSocketState = 'WebSocketState';
    importLines.push(`from ${stateModuleOf(module)} import WebSocketState`);
  }
  return { names: { webSocketState, asyncio, time, logger }, importLines, loggerLine };
}

function isImport(st: PyNode): boolean {
  return st.type === 'import_statement' || st.type === 'import_from_statement' || st.type === 'future_import_statement';
}

function isDocstring(st: PyNode): boolean {
  return st.type === 'expression_statement' && named(st)[0]?.type === 'string';
}

/**
 * Where new imports go: after the last top-level import before the first def/class; without
 * imports, after the docstring (and `from __future__`); else after leading comment lines.
 */
export function importEdits(module: PyModule, plan: NamePlan, eol: string): TextEdit[] {
  if (plan.importLines.length === 0 && !plan.loggerLine) return [];
  const text = module.source;
  const top = statements(module.root);
  const limit = firstDefinition(top)?.startIndex ?? Infinity;
  const imports = top.filter((st) => isImport(st) && st.startIndex < limit);
  const docstring = top[0] && isDocstring(top[0]) ? top[0] : null;
  const at = imports[imports.length - 1] ?? docstring;
  let offset: number;
  if (at) offset = lineEndAfterBreak(text, at.endIndex);
  else {
    // Keep a shebang, encoding line and header comments first.
    const header = /^(?:[ \t]*#[^\r\n]*(?:\r\n|\r|\n))*/.exec(text)?.[0] ?? '';
    offset = header.length;
  }
  const needsBreak = offset === text.length && text.length > 0 && !/[\r\n]$/.test(text);
  let block = plan.importLines.map((l) => `${l}${eol}`).join('');
  if (plan.loggerLine) block += `${eol}${plan.loggerLine}${eol}`;
  if (!at) block += eol;
  return [{ start: offset, end: offset, text: `${needsBreak ? eol : ''}${block}` }];
}

function firstDefinition(top: PyNode[]): PyNode | null {
  return top.find((st) => ['function_definition', 'class_definition', 'decorated_definition'].includes(st.type)) ?? null;
}

/** Where the helper style's `async def` goes: before the first top-level def or class. */
export function helperOffset(module: PyModule): number {
  const first = firstDefinition(statements(module.root));
  return first ? first.startIndex : module.source.length;
}
