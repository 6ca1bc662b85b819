// The TypeScript compiler, loaded once and only when a TS/JS file is scanned. The registry's
// `typescript@7` is the Go compiler (no createSourceFile); ts-morph bundles a usable `ts`.
import type { ts as TsNamespace } from 'ts-morph';

export type TS = typeof TsNamespace;
export type TsNode = TsNamespace.Node;
export type TsSourceFile = TsNamespace.SourceFile;

let loaded: Promise<TS> | null = null;

export function loadTypeScript(): Promise<TS> {
  loaded ??= import('ts-morph').then((m) => m.ts);
  return loaded;
}

const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/** The script kind the parser needs for a file name (JSX only in .tsx/.jsx). */
export function scriptKindOf(ts: TS, fileName: string): TsNamespace.ScriptKind {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.tsx')) return ts.ScriptKind.TSX;
  if (lower.endsWith('.jsx')) return ts.ScriptKind.JSX;
  for (const ext of TS_EXTENSIONS) if (lower.endsWith(ext)) return ts.ScriptKind.TS;
  return ts.ScriptKind.JS;
}

export function parseSource(ts: TS, fileName: string, text: string): TsSourceFile {
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, scriptKindOf(ts, fileName));
}
