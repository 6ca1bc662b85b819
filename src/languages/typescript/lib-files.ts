// The compiler's lib files (lib.dom.d.ts, lib.es*.d.ts: ~100 files), served from memory at the
// virtual folder ts-morph uses, and parsed and bound once per process for every program with
// the same target (issue #8: each program of a monorepo parsed and bound them again, ~0.3 s of
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
 * A lib file's SourceFile, shared by every program with the same target: the one setting that
 * changes a declaration file's parse (the language version) and binding (the binder's language
 * version). TS's DocumentRegistry key holds every source-file-affecting setting, for files that
 * are not declarations: module, moduleDetection and moduleResolution decide a module format and
 * indicator we do not let it derive (the parser's own), jsx the syntax of .tsx files,
 * importHelpers and jsxImportSource the imports of modules that are not declarations,
 * alwaysStrict the binder's strict mode outside declaration files, and noFallthroughCasesInSwitch
 * (with allowUnreachableCode and allowUnusedLabels, which the checker reads per program)
 * statements a lib file has none of. Created as ts-morph created it: language version
 * `target ?? Latest`, no module format; the binder sets the parents the registry does not.
 */
export function sharedLibFile(ts: TS, fileName: string, text: string, options: TsNamespace.CompilerOptions): TsNamespace.SourceFile {
  let registry = registries.get(ts);
  if (registry === undefined) registries.set(ts, (registry = ts.createDocumentRegistry()));
  const settings: TsNamespace.CompilerOptions = { target: options.target ?? ts.ScriptTarget.Latest };
  const key = registry.getKeyForCompilationSettings(settings);
  // An options object, as ts-morph's number was: no module format, the parser's own module
  // indicator (a number would make the registry derive one from the settings). The registry
  // replaces languageVersion with the settings' target.
  const sourceFileOptions: TsNamespace.CreateSourceFileOptions = { languageVersion: settings.target ?? ts.ScriptTarget.Latest };
  return registry.acquireDocumentWithKey(fileName, fileName as TsNamespace.Path, settings, key, ts.ScriptSnapshot.fromString(text), '1', ts.ScriptKind.TS, sourceFileOptions);
}
