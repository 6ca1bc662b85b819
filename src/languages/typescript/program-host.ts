// The compiler host the type checker's program is built through: the raw compiler API, not a
// ts-morph Project (its own lib files, document registry and node wrappers per program: issue #8).
// It answers as ts-morph's host did — the roots and every file loaded exist, with their texts, as
// do their directories; the lib files are in memory — and every other question goes to the disk
// through recording-fs.ts, which reports it (the cache's facts for type-aware results).
import path from 'node:path';
import type { ts as TsNamespace } from 'ts-morph';
import type { TS } from './compiler.js';
import { LIB_FOLDER, libTexts, sharedLibFile } from './lib-files.js';
import { existsReporting, listReporting, readReporting, realpathReporting, type AskFs } from './recording-fs.js';

export interface HostInput {
  options: TsNamespace.CompilerOptions;
  /** The program's roots (absolute paths) with the scan's text of each. */
  roots: ReadonlyMap<string, string>;
  /** Resolve every file's imports, as `tsc -p` does (fix's type check), not only the roots'. */
  followAll?: boolean;
}

/** A host whose files stay parsed across programs (each built with the last as its old program). */
export interface ProgramHost extends TsNamespace.CompilerHost {
  /** Serves this text for a file from now on instead of the disk's (fix: a file's edited text, then its text before). */
  setText(file: string, text: string): void;
}

const NODE_MODULES = /[\\/]node_modules[\\/]/;

/** An absolute path with forward slashes, as the compiler and ts-morph name files (an absolute one keeps its form: the lib folder has no drive). */
export function standardize(p: string): string {
  const s = (path.isAbsolute(p) ? path.normalize(p) : path.resolve(p)).replace(/\\/g, '/');
  return s.length > 1 && s.endsWith('/') && !/^[a-z]+:\/$/i.test(s) ? s.slice(0, -1) : s;
}

export function programHost(ts: TS, input: HostInput, ask: AskFs): ProgramHost {
  const libs = libTexts();
  const { options } = input;
  // ts-morph parsed every file with the options' target (Latest without one) and no module format.
  const languageVersion = options.target ?? ts.ScriptTarget.Latest;
  const parse = (file: string, text: string): TsNamespace.SourceFile => ts.createLanguageServiceSourceFile(file, ts.ScriptSnapshot.fromString(text), languageVersion, '0', true);
  /** The roots and every file loaded (lib files too): they exist, with these texts. */
  const files = new Map<string, TsNamespace.SourceFile>();
  /** The directories of the roots and loaded repository files, and theirs up to the root: they exist. */
  const dirs = new Set<string>([LIB_FOLDER]);
  const add = (file: string, sf: TsNamespace.SourceFile): TsNamespace.SourceFile => {
    files.set(file, sf);
    for (let d = path.posix.dirname(file); !dirs.has(d); d = path.posix.dirname(d)) {
      dirs.add(d);
      if (path.posix.dirname(d) === d) break;
    }
    return sf;
  };
  for (const [file, text] of input.roots) {
    const p = standardize(file);
    add(p, parse(p, text));
  }

  const fileExists = (name: string): boolean => {
    const p = standardize(name);
    return files.has(p) || libs.has(p) || existsReporting('file', p, ask);
  };
  const directoryExists = (name: string): boolean => {
    const p = standardize(name);
    return dirs.has(p) || existsReporting('dir', p, ask);
  };
  const readFile = (name: string): string | undefined => {
    const p = standardize(name);
    return files.get(p)?.text ?? libs.get(p) ?? readReporting(p, ask);
  };
  // Full paths, sorted, as ts-morph listed them; an unreadable directory has none.
  const getDirectories = (name: string): string[] => {
    const p = standardize(name);
    const kinds = listReporting(p, ask) ?? new Map<string, 'file' | 'dir'>();
    return [...kinds].filter(([, kind]) => kind === 'dir').map(([entry]) => standardize(path.join(p, entry))).sort((a, b) => (a <= b ? -1 : 1));
  };
  const realpath = (name: string): string => {
    const p = standardize(name);
    if (libs.has(p)) return p;
    const real = realpathReporting(p, ask);
    return real === null ? p : standardize(real);
  };
  const cwd = standardize(process.cwd());
  // ts-morph's module-resolution host: these members only (the compiler looks for others).
  const resolutionHost: TsNamespace.ModuleResolutionHost = { fileExists, readFile, directoryExists, getCurrentDirectory: () => cwd, getDirectories, realpath };

  return {
    setText(file, text) {
      const p = standardize(file);
      if (files.get(p)?.text !== text) add(p, parse(p, text));
    },
    getSourceFile(fileName) {
      const p = standardize(fileName);
      const known = files.get(p);
      if (known) return known;
      const lib = libs.get(p);
      if (lib !== undefined) {
        const sf = sharedLibFile(ts, p, lib, options);
        files.set(p, sf);
        return sf;
      }
      const text = readReporting(p, ask);
      if (text === undefined) return undefined;
      // ts-morph stripped a BOM from a file it read (a root keeps the scan's text).
      return add(p, parse(p, text.charCodeAt(0) === 0xfeff ? text.slice(1) : text));
    },
    getDefaultLibFileName: (o) => `${LIB_FOLDER}/${ts.getDefaultLibFileName(o)}`,
    writeFile: () => {
      throw new Error("the type checker's program does not write");
    },
    getCurrentDirectory: () => cwd,
    getDirectories,
    fileExists,
    readFile,
    getCanonicalFileName: standardize,
    useCaseSensitiveFileNames: () => true,
    getNewLine: () => '\n',
    getEnvironmentVariable: (name) => process.env[name],
    directoryExists,
    realpath,
    // Imports resolve from the roots (one level into the repository: a factory or helper in
    // another file) and from declaration packages; a repository file a non-root imports is not
    // loaded — following every import chain loaded 4,304 of 5,000 files of the bench tree.
    resolveModuleNames: (names, containingFile, _reused, _redirected, _options, containing) =>
      names.map((name) => {
        const resolved = ts.resolveModuleName(name, containingFile, options, resolutionHost, undefined, undefined, containing?.impliedNodeFormat).resolvedModule;
        const fromRoot = input.followAll === true || input.roots.has(containingFile) || NODE_MODULES.test(containingFile);
        return resolved && (fromRoot || NODE_MODULES.test(resolved.resolvedFileName)) ? resolved : undefined;
      }),
  };
}
