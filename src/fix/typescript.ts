// The TS/JS half of `fix`: plans the readyState guard (codemods/typescript-readystate.ts) before
// each failing loop, as text edits on the original text. Only inside `async` functions, and only
// where the loop is a statement of a block that a `return` may leave; anything else is skipped
// with a reason.
import { renderReadyStateGuard } from '../../codemods/typescript-readystate.js';
import type { MessageLoop } from '../model.js';
import { loadTypeScript, parseSource, type TsNode } from '../languages/typescript/compiler.js';
import { applyEdits, type TextEdit } from './edits.js';
import type { LoopOutcome } from './plan.js';
import { detectStyle, lineStart } from './text-style.js';

export interface ScriptPlanInput {
  absPath: string;
  text: string;
  failing: MessageLoop[];
  timeoutSeconds: number;
  intervalSeconds: number;
}

/** The module's logger: `logger`, `log`, a pino/winston instance, else `console`. */
function loggerOf(text: string): string {
  const declared = (name: string): boolean => new RegExp(`(?:const|let|var|import)\\s+(?:\\{[^}]*\\b${name}\\b[^}]*\\}|${name}\\b)`).test(text);
  for (const name of ['logger', 'log', 'LOGGER']) if (declared(name)) return name;
  const m = /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:pino\s*\(|winston\.createLogger\s*\(|createLogger\s*\()/.exec(text);
  return m?.[1] ?? 'console';
}

function quoteOf(text: string): "'" | '"' {
  const single = (text.match(/'[^'\n]*'/g) ?? []).length;
  const double = (text.match(/"[^"\n]*"/g) ?? []).length;
  return double > single ? '"' : "'";
}

function usesSemicolons(text: string): boolean {
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.trimEnd()).filter((l) => l && !/[{}(,[]$/.test(l) && !l.trimStart().startsWith('//'));
  const withSemi = lines.filter((l) => l.endsWith(';')).length;
  return withSemi * 2 >= lines.length;
}

function freshName(text: string, base: string): string {
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(text); i++) name = `${base}${i}`;
  return name;
}

/**
 * The compiler diagnostics of the file before and after (SPEC §3b: the result must type-check no
 * worse). ts-morph's Project brings the lib files; imports resolve from the file's own directory,
 * so a project's node_modules count. JS files get syntactic diagnostics only (checkJs off).
 */
export async function typeChecksNoWorse(absPath: string, before: string, after: string): Promise<string | null> {
  const { Project, ts } = await import('ts-morph');
  const project = new Project({
    compilerOptions: { noEmit: true, skipLibCheck: true, allowJs: true, checkJs: false, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, esModuleInterop: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] },
    skipAddingFilesFromTsConfig: true,
  });
  const sf = project.createSourceFile(absPath, before, { overwrite: true });
  const count = (): number => sf.getPreEmitDiagnostics().length;
  const a = count();
  sf.replaceWithText(after);
  const b = count();
  return b > a ? `the fixed file has ${b - a} more compiler diagnostic${b - a === 1 ? '' : 's'} than before` : null;
}

export async function planScriptFile(input: ScriptPlanInput): Promise<{ edits: TextEdit[]; outcomes: LoopOutcome[] }> {
  const ts = await loadTypeScript();
  const { text } = input;
  const sf = parseSource(ts, input.absPath, text);
  const style = detectStyle(text);
  const edits: TextEdit[] = [];
  const outcomes: LoopOutcome[] = [];
  let work = text;
  const nodeAt = (line: number, column: number): TsNode | null => {
    const pos = sf.getPositionOfLineAndCharacter(line - 1, column - 1);
    let found: TsNode | null = null;
    const visit = (n: TsNode): void => {
      if (n.getStart(sf) === pos && ts.isStatement(n)) found ??= n;
      if (n.pos <= pos && pos < n.end) n.forEachChild(visit);
    };
    visit(sf);
    return found;
  };
  for (const loop of input.failing) {
    const skip = (reason: string): void => {
      outcomes.push({ loop, skipped: reason, action: null });
    };
    if (!loop.inAsyncFunction || loop.function === '<module>') {
      skip(loop.function === '<module>' ? 'top-level loop: no function to return from' : 'the loop is not inside an async function (the guard awaits)');
      continue;
    }
    const stmt = nodeAt(loop.span.start.line, loop.span.start.column);
    const parent = stmt?.parent;
    if (!stmt || !parent || !(ts.isBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent))) {
      skip('the loop is not a statement of a block (e.g. the body of an if without braces)');
      continue;
    }
    const start = stmt.getStart(sf);
    const ls = lineStart(text, start);
    const indent = text.slice(ls, start);
    if (indent.trim() !== '') {
      skip('the loop does not start its line');
      continue;
    }
    const socket = loop.receive.connection;
    if (!/^[\w$.!?]+$/.test(socket)) {
      skip(`the connection \`${socket}\` is not a plain name or property`);
      continue;
    }
    const startName = freshName(work, 'wsOpenWaitStart');
    const block = renderReadyStateGuard({
      socket: socket.replace(/!$/, ''),
      indent,
      indentUnit: style.indentUnit,
      eol: style.eol,
      quote: quoteOf(text),
      semicolons: usesSemicolons(text),
      logger: loggerOf(text),
      timeoutMs: Math.round(input.timeoutSeconds * 1000),
      intervalMs: Math.round(input.intervalSeconds * 1000),
      startName,
    });
    work += startName; // the next loop gets a different name
    edits.push({ start: ls, end: ls, text: block });
    outcomes.push({ loop, skipped: null, action: 'insert' });
  }
  if (edits.length) {
    const worse = await typeChecksNoWorse(input.absPath, text, applyEdits(text, edits));
    if (worse) return { edits: [], outcomes: outcomes.map((o) => (o.skipped === null ? { ...o, skipped: worse, action: null } : o)) };
  }
  return { edits, outcomes };
}
