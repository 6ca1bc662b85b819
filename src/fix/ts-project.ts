// The program `tsc -p` builds from a tsconfig.json, for fix's type check: its options (extends
// followed) and every file its files/include/exclude select, read once. The config is read as
// ts-morph's Project read it (which fix used before): text that cannot be read or is not JSON is
// no config; other errors (a missing base) are the program's config diagnostics, counted before
// and after alike.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ts as TsNamespace } from 'ts-morph';
import type { TS } from '../languages/typescript/compiler.js';
import { standardize } from '../languages/typescript/program-host.js';

export interface ProjectConfig {
  options: TsNamespace.CompilerOptions;
  /** The files the config selects (absolute, standardized), in its order. */
  rootNames: readonly string[];
  /** Its parsing errors (the program reports them, before and after alike). */
  diagnostics: readonly TsNamespace.Diagnostic[];
}

/** The config's program; throws when its text cannot be read or parsed as JSON. */
export function readProjectConfig(ts: TS, config: string): ProjectConfig {
  const file = standardize(config);
  const read = ts.parseConfigFileTextToJson(file, readFileSync(file, 'utf-8'));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, ' '));
  // The files are listed as tsc lists them (ts-morph matched the patterns without regard to case).
  const host: TsNamespace.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: (root, extensions, excludes, includes, depth) => ts.sys.readDirectory(root, extensions, excludes, includes, depth),
    fileExists: (f) => ts.sys.fileExists(f),
    readFile: (f) => ts.sys.readFile(f),
  };
  const parsed = ts.parseJsonConfigFileContent(read.config, host, path.posix.dirname(file), undefined, file);
  const rootNames = [...new Set(parsed.fileNames.map(standardize))].filter((f) => ts.sys.fileExists(f));
  // Nothing is emitted; declaration files are not checked (as fix's Project was built).
  return { options: { ...parsed.options, noEmit: true, skipLibCheck: true }, rootNames, diagnostics: parsed.errors };
}

/** Without a tsconfig: strict defaults, the file and its imports. */
export function defaultProject(ts: TS): ProjectConfig {
  const options: TsNamespace.CompilerOptions = {
    noEmit: true, skipLibCheck: true, allowJs: true, checkJs: false, strict: true,
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    esModuleInterop: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  };
  return { options, rootNames: [], diagnostics: [] };
}
