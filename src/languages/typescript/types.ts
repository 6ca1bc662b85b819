// The type-aware mode (SPEC §3b: a tsconfig.json found above the files, or named with --project):
// the compiler's type checker says whether an expression the syntax could not place is a client
// WebSocket (ws, isomorphic-ws, undici, the DOM or Deno/Bun global). One program per tsconfig,
// built on the first question, whose roots are only the files that can ask one (those the
// prefilter lets through); the compiler loads what they import (program-host.ts).
import type { ts as TsNamespace } from 'ts-morph';
import type { Framework } from '../../model.js';
import type { TS } from './compiler.js';
import { programHost, standardize } from './program-host.js';
import type { AskFs } from './recording-fs.js';

export interface SocketType {
  emitter: boolean;
  type: string;
  framework: Framework;
}

export interface TypeOracle {
  /** What the checker says the expression at [start, start + width) of the file is, if a WebSocket. */
  socketAt(absPath: string, start: number, width: number): SocketType | null;
  /**
   * Whether the checker gives the expression a type that cannot be a WebSocket: known (not
   * `any`/`unknown`/a type parameter) and, in every non-nullish union member, without a
   * `readyState` (`{ id: string; send(m: string): void }`). What a name (`connectionNames`) says
   * does not outweigh it.
   */
  nonSocketAt(absPath: string, start: number, width: number): boolean;
}

const SOCKET_SOURCES = /node_modules[\\/](?:@types[\\/]ws|ws|isomorphic-ws|undici|undici-types|bun-types)[\\/]|lib\.dom\.d\.ts$|lib\.deno/;

export interface ProgramInput {
  options: TsNamespace.CompilerOptions;
  /** The files that can ask (absolute paths), with the scan's text of each. */
  roots: ReadonlyMap<string, string>;
  /**
   * The scan's own text of a file (`--staged` reads the index, `fix` its fixed text): a file the
   * compiler read differently from disk is not asked about, so positions always agree.
   */
  sourceOf(absPath: string): string | null;
}

/**
 * A checker over one program, built through a host that reports every file-system question to
 * `ask` (what the program is made of). Throws what the compiler throws while building it.
 */
export function programOracle(ts: TS, input: ProgramInput, ask: AskFs): TypeOracle {
  const program = ts.createProgram([...input.roots.keys()].map(standardize), input.options, programHost(ts, input, ask));
  const checker = program.getTypeChecker();
  return {
    socketAt(absPath, start, width) {
      const sf = program.getSourceFile(absPath);
      if (!sf || sf.text !== input.sourceOf(absPath)) return null;
      const node = nodeAt(sf, start, width);
      if (!node) return null;
      const type = checker.getTypeAtLocation(node);
      for (const t of type.isUnion() ? type.types : [type]) {
        const symbol = t.getSymbol() ?? t.aliasSymbol;
        if (!symbol || symbol.getName() !== 'WebSocket') continue;
        const file = symbol.getDeclarations()?.[0]?.getSourceFile().fileName ?? '';
        if (!SOCKET_SOURCES.test(file)) continue;
        return { emitter: /ws[\\/]|isomorphic-ws/.test(file) && !/lib\.dom/.test(file), type: checker.typeToString(t, node), framework: frameworkOfDeclaration(file) };
      }
      return null;
    },
    nonSocketAt(absPath, start, width) {
      const sf = program.getSourceFile(absPath);
      if (!sf || sf.text !== input.sourceOf(absPath)) return false;
      const node = nodeAt(sf, start, width);
      if (!node) return false;
      const type = checker.getTypeAtLocation(node);
      const F = ts.TypeFlags;
      const members = (type.isUnion() ? type.types : [type]).filter((t) => (t.flags & (F.Null | F.Undefined | F.Void | F.Never)) === 0);
      const unknown = F.Any | F.Unknown | F.TypeParameter | F.NonPrimitive | F.Index | F.IndexedAccess | F.Conditional | F.Substitution;
      return members.length > 0 && members.every((t) => (t.flags & unknown) === 0 && !checker.getPropertyOfType(checker.getApparentType(t), 'readyState'));
    },
  };
}

/** The outermost node that starts at `start` with `width` (iterative: trees may be deep). */
function nodeAt(sf: TsNamespace.SourceFile, start: number, width: number): TsNamespace.Node | null {
  let cur: TsNamespace.Node = sf;
  for (;;) {
    let next: TsNamespace.Node | null = null;
    cur.forEachChild((c) => {
      if (next === null && c.pos <= start && start + width <= c.end) next = c;
    });
    if (next === null) return null;
    const n: TsNamespace.Node = next;
    if (n.getStart(sf) === start && n.getEnd() - start === width) return n;
    cur = n;
  }
}

/** The library or runtime whose declaration file declares the WebSocket type. */
function frameworkOfDeclaration(file: string): Framework {
  if (/node_modules[\\/]isomorphic-ws[\\/]/.test(file)) return 'isomorphic-ws';
  if (/node_modules[\\/](?:@types[\\/])?ws[\\/]/.test(file)) return 'ws';
  if (/node_modules[\\/]undici[\\/]/.test(file)) return 'undici';
  // undici-types is how @types/node declares Node's global WebSocket: the WHATWG one.
  if (/node_modules[\\/]undici-types[\\/]|lib\.dom\.d\.ts$/.test(file)) return 'dom';
  if (/node_modules[\\/]bun-types[\\/]/.test(file)) return 'bun';
  if (/lib\.deno/.test(file)) return 'deno';
  return 'unknown';
}
