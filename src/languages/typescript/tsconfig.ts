// Which tsconfig.json governs a TS/JS file (SPEC §3b: the type checker is used when one is found),
// and its compiler options. Reading one never enumerates its `include` globs: the type-aware mode
// loads only the files that can matter, not the whole program.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { ts as TsNamespace } from 'ts-morph';
import { directoriesUp } from '../../paths.js';
import type { TS } from './compiler.js';
import { existsReporting, readReporting, type AskFs } from './recording-fs.js';

/** Where the search for a directory's tsconfig.json stops going up: the root of the repository the directory is in. */
export type StopFor = (dir: string) => string;

/** Which tsconfig.json governs a file (absolute path; null: none). */
export type ConfigResolver = (absPath: string) => string | null;

/**
 * The one rule for which tsconfig.json governs a file — the scan's type checker, its cache facts
 * and fix's type check all ask it, so they agree: `--project`'s (explicit, absolute) for every
 * file, else the nearest one up to the root of the file's repository (stopFor: a scanned path
 * outside the working directory's repository stops at its own).
 */
export function configResolver(explicit: string | null, stopFor: StopFor): ConfigResolver {
  if (explicit !== null) return () => explicit;
  const finder = new TsconfigFinder(stopFor);
  return (absPath) => finder.forFile(absPath);
}

/** The nearest tsconfig.json from a file's directory up to its stop directory (its repository's root). */
class TsconfigFinder {
  private readonly byDir = new Map<string, string | null>();
  constructor(private readonly stopFor: StopFor) {}

  forFile(absPath: string): string | null {
    return this.forDir(path.dirname(absPath));
  }

  /** The nearest tsconfig.json on the way up (tsconfigCandidates' order); every directory passed remembers it. */
  private forDir(dir: string): string | null {
    const known = this.byDir.get(dir);
    if (known !== undefined) return known;
    const passed: string[] = [];
    let found: string | null = null;
    for (const d of directoriesUp(dir, this.stopFor(dir))) {
      const known = this.byDir.get(d);
      if (known !== undefined) {
        found = known;
        break;
      }
      passed.push(d);
      const here = path.join(d, 'tsconfig.json');
      if (existsSync(here)) {
        found = here;
        break;
      }
    }
    for (const d of passed) this.byDir.set(d, found);
    return found;
  }
}

/** Every tsconfig.json path the finder can look at for a file, nearest first (what its answer rests on). */
export function tsconfigCandidates(absPath: string, stopFor: StopFor): string[] {
  const dir = path.dirname(absPath);
  return directoriesUp(dir, stopFor(dir)).map((d) => path.join(d, 'tsconfig.json'));
}

export type TsconfigRead = { ok: true; options: TsNamespace.CompilerOptions } | { ok: false; reason: string };

/**
 * The compiler options of a tsconfig.json, `extends` followed. Its file list is not computed (the
 * host lists no directory), so errors about it are ignored; any other error (unreadable, not
 * JSON, a missing base config) is a reason not to use it.
 */
export function readTsconfig(ts: TS, file: string, ask: AskFs): TsconfigRead {
  // Every read and existence test is reported: the options rest on them (engine/type-facts.ts).
  const readData = (f: string): string | undefined => {
    const text = readReporting(f, ask);
    return text !== undefined && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  };
  const read = ts.readConfigFile(file, readData);
  if (read.error) return { ok: false, reason: message(ts, read.error) };
  if (read.config === null || typeof read.config !== 'object' || Array.isArray(read.config)) return { ok: false, reason: 'not a JSON object' };
  const host: TsNamespace.ParseConfigHost = {
    useCaseSensitiveFileNames: ts.sys.useCaseSensitiveFileNames,
    readDirectory: () => [],
    fileExists: (f) => existsReporting('file', f, ask),
    readFile: readData,
  };
  const parsed = ts.parseJsonConfigFileContent(read.config, host, path.dirname(file), undefined, file);
  // "The 'files' list is empty" (a solution-style config) and "No inputs were found": the file
  // list is not ours to check; the options still apply.
  const FILE_LIST = new Set([18002, 18003]);
  const errors = parsed.errors.filter((e) => !FILE_LIST.has(e.code));
  if (errors.length) return { ok: false, reason: message(ts, errors[0] as TsNamespace.Diagnostic) };
  // The checker is only asked about types: nothing is emitted, and JS files are typed as TS would.
  return { ok: true, options: { ...parsed.options, noEmit: true, allowJs: true, skipLibCheck: true } };
}

function message(ts: TS, d: TsNamespace.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(d.messageText, ' ').replace(/\s+/g, ' ').trim();
}
