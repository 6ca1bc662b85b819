// The compiler's lib files (lib.dom.d.ts, lib.es*.d.ts: ~100 files), served from memory at the
// virtual folder ts-morph uses, and parsed and bound once per process for every program whose
// settings allow it (issue #8: each program of a monorepo parsed and bound them again, ~0.3 s of
// CPU and ~50 MB each). They are part of the tool's build, not of the scanned tree: no question
// about them is asked of the disk, and none is recorded.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ts as TsNamespace } from 'ts-morph';
import type { TS } from './compiler.js';

/** Where the lib files are (virtually): SOCKET_SOURCES in types.ts knows lib.dom.d.ts by its name. */
export const LIB_FOLDER = '/node_modules/typescript/lib';

let texts: Map<string, string> | null = null;

/**
 * The lib files' texts by path, from @ts-morph/common (the texts of the compiler ts-morph bundles),
 * loaded on the first program: resolved from ts-morph's own directory, not a dependency of ours.
 */
export function libTexts(): ReadonlyMap<string, string> {
  if (texts === null) {
    const fromMorph = createRequire(createRequire(import.meta.url).resolve('ts-morph'));
    const common = fromMorph('@ts-morph/common') as { getLibFiles(): readonly { fileName: string; text: string }[] };
    texts = new Map(common.getLibFiles().map((f) => [path.posix.join(LIB_FOLDER, f.fileName), f.text]));
  }
  return texts;
}

const registries = new WeakMap<TS, TsNamespace.DocumentRegistry>();

/**
 * A lib file's SourceFile, shared by every program with the same source-file-affecting settings
 * (the DocumentRegistry's key: TS's own rule for what a language service may share across
 * projects). Created as ts-morph created it: language version `target ?? Latest` (the registry
 * takes it from the settings), no module format; the binder sets the parents the registry does not.
 */
export function sharedLibFile(ts: TS, fileName: string, text: string, options: TsNamespace.CompilerOptions): TsNamespace.SourceFile {
  let registry = registries.get(ts);
  if (registry === undefined) registries.set(ts, (registry = ts.createDocumentRegistry()));
  const settings: TsNamespace.CompilerOptions = { ...options, target: options.target ?? ts.ScriptTarget.Latest };
  const key = registry.getKeyForCompilationSettings(settings);
  // An options object, as ts-morph's number was: no module format, the parser's own module
  // indicator (a number would make the registry derive one from the settings). The registry
  // replaces languageVersion with the settings' target.
  const sourceFileOptions: TsNamespace.CreateSourceFileOptions = { languageVersion: settings.target ?? ts.ScriptTarget.Latest };
  return registry.acquireDocumentWithKey(fileName, fileName as TsNamespace.Path, settings, key, ts.ScriptSnapshot.fromString(text), '1', ts.ScriptKind.TS, sourceFileOptions);
}
