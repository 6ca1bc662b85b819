// Diff-aware runs (SPEC §6) gate the changed files — and the loops of unchanged files whose guard
// or receive goes through a changed file's definitions: staging only a polling helper with its
// bound removed makes every caller's guard unbounded, and the commit must not pass for want of
// looking at the callers. Candidates are found cheaply here, from the text: files (the index's
// under --staged, the tracked working tree's under --base) that name a changed module *and* one
// of the functions it defines, `git grep -l -w` (under --staged the working tree, and the index for
// the files whose working tree may differ from it: `git diff-files`). The
// analysis then keeps only the loops whose lookups really went into a changed file
// (`MessageLoop.dependsOn`, pipeline.ts); a candidate without a possible loop is not even parsed.
import path from 'node:path';
import type { LanguageId } from '../model.js';
import { filesWithWords, unstagedPaths } from './git.js';

export interface DefinitionSource {
  /** The path from the repository root, `/`-separated. */
  rel: string;
  language: LanguageId;
  /** The content the run judges (the index's under --staged). */
  text: string;
  /**
   * Python: the file's text at the base (null: the file is new there); undefined when not known.
   * Only the functions whose definition changed can change what a caller's loop resolves to.
   */
  baseText?: string | null;
}

/** What a caller of a changed file's functions must write: the module's name, and one of the names. */
export interface Definitions {
  module: string;
  names: string[];
}

const PY_DEF = /^[ \t]*(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/gm;
const TS_FUNCTION = /\bfunction\b\s*\*?\s*([A-Za-z_$][\w$]*)/g;
const TS_BOUND_FUNCTION = /\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=;]*)?=\s*(?:async\b\s*)?(?:function\b|\(|[A-Za-z_$][\w$]*\s*=>)/g;
const TS_EXPORTS = /\bexports\.([A-Za-z_$][\w$]*)\s*=/g;
const WORD = /^[A-Za-z_$][\w$]*$/;

/**
 * Each Python function's definition, by name, as the text that decides what it does: its `def`
 * line and body, without blank and comment-only lines (a comment appended to the file changes no
 * caller's verdict). Several definitions of one name (methods of two classes) are kept sorted.
 * `rest`: the meaningful lines in no definition (module code, class bodies — and the tail of a
 * body that a string's column-0 line cut short, which this line-based reading cannot tell apart).
 */
function pythonDefinitions(text: string): { defs: Map<string, string[]>; rest: string } {
  const lines = text.split(/\r?\n/);
  const out = new Map<string, string[]>();
  const inDef = new Set<number>();
  const indentOf = (line: string): number => line.length - line.trimStart().length;
  const meaningful = (line: string): boolean => line.trim() !== '' && !line.trimStart().startsWith('#');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([ \t]*)(?:async[ \t]+)?def[ \t]+([A-Za-z_]\w*)/.exec(lines[i] as string);
    if (!m) continue;
    const indent = (m[1] as string).length;
    const body: string[] = [(lines[i] as string).trimEnd()];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] as string;
      if (!meaningful(line)) continue;
      if (indentOf(line) <= indent && !/^[ \t]*[)\]}]/.test(line)) break;
      body.push(line.trimEnd());
      inDef.add(j);
    }
    inDef.add(i);
    const name = m[2] as string;
    out.set(name, [...(out.get(name) ?? []), body.join('\n')].sort());
  }
  const rest = lines.filter((line, i) => !inDef.has(i) && meaningful(line)).map((line) => line.trimEnd()).join('\n');
  return { defs: out, rest };
}

/**
 * The names of a Python file's functions whose definition differs from the base's. A function new
 * since the base has no caller in an unchanged file (its import would not have resolved), and a
 * new file none at all.
 */
function changedPythonNames(text: string, baseText: string | null): Set<string> | 'all' {
  if (baseText === null) return new Set();
  const before = pythonDefinitions(baseText);
  const after = pythonDefinitions(text);
  // Code outside the definitions changed (an import, a class attribute, a cut-short body): any name may resolve anew.
  if (before.rest !== after.rest) return 'all';
  const changed = new Set<string>();
  for (const [name, defs] of after.defs) {
    const old = before.defs.get(name);
    if (old === undefined || old.join('\0') !== defs.join('\0')) changed.add(name);
  }
  // A function that names a changed (or new) one of its file may change with it (`wait_ready` calling `_deadline()`).
  for (let grew = true; grew; ) {
    grew = false;
    for (const [name, defs] of after.defs) {
      if (changed.has(name)) continue;
      if ([...changed].some((c) => new RegExp(`\\b${c}\\b`).test(defs.join('\n')))) {
        changed.add(name);
        grew = true;
      }
    }
  }
  // A new function has no caller in an unchanged file (its import would not have resolved): it only counts through the above.
  for (const name of changed) if (!before.defs.has(name)) changed.delete(name);
  return changed;
}

/** The module name and function names a changed file offers its callers; null when it defines no function (nothing can resolve into it). */
export function definitionsOf(file: DefinitionSource): Definitions | null {
  const base = path.posix.basename(file.rel);
  if (/\.d\.[cm]?ts$/i.test(base)) return null; // declarations only: no helper body
  let stem = base.replace(/\.[^.]+$/, '');
  if (stem === '__init__' || stem === 'index') stem = path.posix.basename(path.posix.dirname(file.rel));
  if (!WORD.test(stem)) return null;
  const patterns = file.language === 'python' ? [PY_DEF] : [TS_FUNCTION, TS_BOUND_FUNCTION, TS_EXPORTS];
  const names = new Set<string>();
  for (const re of patterns) {
    for (const m of file.text.matchAll(re)) {
      const name = m[1] ?? '';
      // Dunder methods (`__init__`, `__aenter__`) are in every class: no caller names them.
      if (!/^__\w+__$/.test(name)) names.add(name);
    }
  }
  // Python with its base known: only the functions whose definition changed (the rest resolve as before).
  if (file.language === 'python' && file.baseText !== undefined) {
    const changed = changedPythonNames(file.text, file.baseText);
    if (changed !== 'all') for (const name of names) if (!changed.has(name)) names.delete(name);
  }
  return names.size === 0 ? null : { module: stem, names: [...names].sort() };
}

/** Past this many candidate paths, the second search is not given them on its command line. */
const MAX_NAMED_PATHS = 1000;
const PYTHON_FILES = [':(icase)*.py', ':(icase)*.pyi'];
const SCRIPT_FILES = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'].map((e) => `:(icase)*.${e}`);

export interface DependentSearch {
  root: string;
  changed: readonly DefinitionSource[];
  /** --staged: search the index's content. */
  cached: boolean;
}

export interface DependentCandidates {
  /** Paths from the root of the files that may depend on a changed file, changed ones excluded. */
  paths: string[];
  /** How many changed files define functions (the search was made for them). */
  searched: number;
}

/**
 * The files that name a changed module and one of its functions (per language family: Python
 * callers of Python files, TS/JS of TS/JS). Null when git fails (the run goes on without them).
 */
/**
 * The files under `specs` holding one of `words`. Under --staged the index's content counts, but
 * `git grep --cached` inflates every blob (0.2 s on 10,000 loose objects against 0.07 s for the
 * working tree): the working tree is searched, and only the files whose working-tree content may
 * differ from the index's are searched in the index instead.
 */
async function namingFiles(root: string, words: readonly string[], cached: boolean, specs: readonly string[]): Promise<string[] | null> {
  if (!cached) return filesWithWords(root, words, false, specs);
  const [tree, differ] = await Promise.all([filesWithWords(root, words, false, specs), unstagedPaths(root, specs)]);
  if (tree === null || differ === null) return null;
  if (differ.length === 0) return tree;
  const elsewhere = new Set(differ);
  const inIndex = differ.length <= MAX_NAMED_PATHS ? await filesWithWords(root, words, true, differ.map((p) => `:(literal)${p}`)) : (await filesWithWords(root, words, true, specs))?.filter((p) => elsewhere.has(p)) ?? null;
  if (inIndex === null) return null;
  return [...new Set([...tree.filter((p) => !elsewhere.has(p)), ...inIndex])].sort();
}

/** A package's re-exporting file (`from .guards import wait_ready`, `export * from './wait'`): its callers name the package. */
const BARREL = /(?:^|\/)(?:__init__\.pyi?|index\.[cm]?[jt]sx?)$/i;

export async function dependentCandidates(search: DependentSearch): Promise<DependentCandidates | null> {
  const changed = new Set(search.changed.map((f) => f.rel));
  const families = [
    { specs: PYTHON_FILES, defs: search.changed.filter((f) => f.language === 'python').map(definitionsOf) },
    { specs: SCRIPT_FILES, defs: search.changed.filter((f) => f.language !== 'python').map(definitionsOf) },
  ].map((f) => ({ specs: f.specs, defs: f.defs.filter((d): d is Definitions => d !== null) }));
  const searched = families.reduce((n, f) => n + f.defs.length, 0);
  // The files naming one of `modules` (changed ones left out), and those of them naming one of `names` too.
  const naming = async (modules: readonly string[], names: readonly string[], specs: readonly string[]): Promise<{ module: string[]; both: string[] } | null> => {
    // The module's name first (rare: few files), then the functions' names in those files only.
    const module = (await namingFiles(search.root, modules, search.cached, specs))?.filter((p) => !changed.has(p)) ?? null;
    if (module === null || module.length === 0) return module === null ? null : { module, both: [] };
    // Named one by one while the command line stays short; else every file, intersected here.
    const kept = new Set(module);
    const both = module.length <= MAX_NAMED_PATHS ? await filesWithWords(search.root, names, search.cached, module.map((p) => `:(literal)${p}`)) : (await filesWithWords(search.root, names, search.cached, specs))?.filter((p) => kept.has(p)) ?? null;
    return both === null ? null : { module, both };
  };
  const found = await Promise.all(
    families.map(async ({ specs, defs }): Promise<string[] | null> => {
      if (defs.length === 0) return [];
      const modules = new Set(defs.map((d) => d.module));
      const names = [...new Set(defs.flatMap((d) => d.names))];
      const direct = await naming([...modules], names, specs);
      if (direct === null) return null;
      // One hop through a package that re-exports the names (`from pkg import wait_ready`, `from
      // './lib'`): a barrel naming the module (`export *` names no function) is followed.
      const packages = [...new Set(direct.module.filter((p) => BARREL.test(p)).map((p) => path.posix.basename(path.posix.dirname(p))))].filter((m) => WORD.test(m) && !modules.has(m));
      if (packages.length === 0) return direct.both;
      const via = await naming(packages, names, specs);
      return via === null ? null : [...direct.both, ...via.both];
    }),
  );
  if (found.some((f) => f === null)) return null;
  return { paths: [...new Set(found.flatMap((f) => f ?? []))].sort(), searched };
}
