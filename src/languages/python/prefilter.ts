// The text prefilter (issue #8): which Python files can hold a message loop at all, decided on
// raw text before any module model or loop analysis is built. Every file is still parsed and
// syntax-checked (HG011 needs every file); only the module model and the loop search are
// skipped, and only where they provably find nothing, so results never change (`--no-prefilter`
// runs everything; test/prefilter.test.ts compares the two).
//
// A loop of file F receives (loops.ts) by a call `x.<receive method>(…)`, by iterating a
// connection of an iterable framework (websockets/aiohttp/sanic, known from imports or
// `ws_connect`/`WebSocketResponse`), or through a repository function, method or `__anext__`
// of F or of a module F imports, up to three calls deep. So F needs the analysis only when its
// text has a loop keyword AND (a receive-like word, or an import leading — through any chain of
// imports — to a file with a receive-like word). Imports are read from the text (a superset:
// strings and comments count too) and resolved to every file the repository index could load
// for them: `<ancestor>/<a/b/c>.py` and `<ancestor>/<a/b/c>/__init__.py` for each prefix of each
// imported name, from every ancestor directory up to the repository's root (as the index does),
// and — since `import a` lets `a.b.c.f()` reach `a/b/c.py` — every Python file under a package
// bound to a local name.
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { FRAMEWORK_RECEIVES } from './connection.js';
import { moduleNameOf } from './imports.js';
import type { SourceReader } from './repo-index.js';
import { listEntries } from '../../dir-entries.js';
import { wordPattern } from '../words.js';

// As the tokenizer reads them: `0while` (a syntax error) is still a loop to tree-sitter.
const LOOP_KEYWORD = wordPattern(['for', 'while']);

/** No `for`/`while` in the text: no loop, whatever other files hold (the result cache keys such files on their text alone). */
export function hasLoopKeyword(text: string): boolean {
  return LOOP_KEYWORD.test(text);
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `words` without those that contain another (a text holding one holds the other), compared in
 * lower case when `fold` (every such word is ASCII); and without the ASCII words that contain,
 * in lower case, one of `covered` (lower-case words searched case-insensitively elsewhere).
 */
function shortest(words: Iterable<string>, fold: boolean, covered: readonly string[] = []): string[] {
  const list = [...new Set(words)].filter((w) => w.length > 0);
  const norm = (w: string): string => (fold ? w.toLowerCase() : w);
  return list.filter((w, i) => {
    const n = norm(w);
    if (/^[\x00-\x7f]*$/.test(w) && covered.some((c) => w.toLowerCase().includes(c))) return false;
    // Of two words equal in lower case, the first stays.
    return !list.some((o, j) => j !== i && n.includes(norm(o)) && (norm(o) !== n || j < i));
  });
}

/** A receive-like word: every receive method name (configured and per framework) and what makes a connection iterable. */
export function receiveLikePattern(receiveMethods: readonly string[]): { test(text: string): boolean } {
  const words = new Set<string>(['recv', 'receive', 'iter_', 'websocket', 'aiohttp', 'sanic', 'ws_connect', '__anext__']);
  for (const list of Object.values(FRAMEWORK_RECEIVES)) for (const m of list ?? []) words.add(m);
  // Built-in words case-insensitively (WebSocket, WebSocketResponse); configured names as written.
  // Only the shortest words are searched (`receive` finds every `receive_*`): the same answer,
  // and half the alternatives for the regex to try at each position of a 51 MB tree.
  const builtInWords = shortest(words, true);
  const builtIn = new RegExp(builtInWords.map(escape).join('|'), 'i');
  const lowered = builtInWords.map((w) => w.toLowerCase());
  const configured = shortest(receiveMethods, false, lowered).map(escape);
  const extra = configured.length > 0 ? new RegExp(configured.join('|')) : null;
  return { test: (text) => builtIn.test(text) || (extra !== null && extra.test(text)) };
}

interface ImportTarget {
  dotted: string;
  /** A package bound to a local name: `name.sub.f()` can reach any module under it. */
  recursive: boolean;
}

function prefixes(dotted: string): string[] {
  const parts = dotted.split('.').filter(Boolean);
  return parts.map((_, i) => parts.slice(0, i + 1).join('.'));
}

/** `from x import (a, b as c)` / `import a.b as c, d`: the names in the text after `import`. */
function importedItems(rest: string): string[] {
  const body = rest.trimStart().startsWith('(') ? rest.slice(rest.indexOf('(') + 1, rest.includes(')') ? rest.indexOf(')') : undefined) : rest;
  const out: string[] = [];
  for (const item of body.split(',')) {
    const m = /^\s*([A-Za-z_][\w.]*|\*)/.exec(item.replace(/\s*\.\s*/g, '.'));
    if (m) out.push(m[1] as string);
  }
  return out;
}

/** Every module an import statement of the text could make the index load (a superset). */
export function importTargets(text: string, relPath: string): ImportTarget[] {
  // Backslash continuations join lines; a parenthesised from-import list may span lines.
  const src = text.replace(/\\\r?\n/g, ' ');
  const moduleName = moduleNameOf(relPath);
  const isPackage = /(^|\/)__init__\.pyi?$/.test(relPath);
  const out: ImportTarget[] = [];
  const fromImports = new Set<number>();
  const FROM = /\bfrom\b[ \t]*(\.*)[ \t]*([A-Za-z_][\w. \t]*?)?[ \t]*\bimport\b((?:[ \t]*\([^)]*\)?)|[^\n;]*)/g;
  for (const m of src.matchAll(FROM)) {
    fromImports.add((m.index ?? 0) + m[0].lastIndexOf('import', m[0].length - (m[3] ?? '').length));
    const dots = (m[1] ?? '').length;
    const rest = (m[2] ?? '').replace(/\s+/g, '');
    let base = rest;
    if (dots > 0) {
      const parts = moduleName.split('.').filter(Boolean);
      const keep = parts.length - (isPackage ? 0 : 1) - (dots - 1);
      const kept = parts.slice(0, Math.max(0, keep));
      if (rest) kept.push(rest);
      base = kept.join('.');
      // Relative resolution depends on where the file sits: its package directories too.
      for (const p of prefixes(moduleName)) out.push({ dotted: p, recursive: false });
    }
    for (const p of prefixes(base)) out.push({ dotted: p, recursive: false });
    for (const name of importedItems(m[3] ?? '')) {
      if (name === '*') out.push({ dotted: base, recursive: true });
      else out.push({ dotted: base ? `${base}.${name}` : name, recursive: true });
    }
  }
  for (const m of src.matchAll(/\bimport\b([^\n;]*)/g)) {
    if (fromImports.has(m.index ?? -1)) continue;
    for (const item of importedItems(m[1] ?? '')) {
      if (item === '*') continue;
      // `import a.b` binds `a` (anything under it is reachable); `import a.b as c` binds `a.b`.
      out.push({ dotted: item.split('.')[0] as string, recursive: true });
      for (const p of prefixes(item)) out.push({ dotted: p, recursive: true });
    }
  }
  return out;
}

/** A file's import edges: lists shared between files (a file may repeat, or be the file itself). */
type Edges = readonly (readonly string[])[];

/** One frame of the search: a file and the edges it has left to try (last first). */
class EdgeCursor {
  private list: number;
  private at: number;

  constructor(
    readonly file: string,
    private readonly edges: Edges,
  ) {
    this.list = edges.length - 1;
    this.at = (edges[this.list]?.length ?? 0) - 1;
  }

  next(): string | undefined {
    while (this.list >= 0) {
      if (this.at >= 0) return (this.edges[this.list] as readonly string[])[this.at--];
      this.list--;
      this.at = (this.edges[this.list]?.length ?? 0) - 1;
    }
    return undefined;
  }
}

export class LoopPrefilter {
  private readonly receiveLike: { test(text: string): boolean };
  private readonly dirEntries = new Map<string, ReadonlyMap<string, 'file' | 'dir'>>();
  private readonly pyUnder = new Map<string, string[]>();
  /** Per file, what its imports could load: the probes' shared lists, never merged (`import marimo` is every file of the package, for every importer). */
  private readonly edges = new Map<string, Edges>();
  private readonly matches = new Map<string, boolean>();
  /** Files known to reach (true) or not to reach (false) a receive-like file through imports. */
  private readonly reaches = new Map<string, boolean>();
  /** Files the prefilter let through to the loop analysis, and files it skipped (for --verbose / tests). */
  analysed = 0;
  skipped = 0;
  /**
   * Told what a verdict rests on — `p` what a file offers the search (signature()), `k` what a
   * probed name is (file, directory, nothing), `d` a package directory's listing — so that the
   * result cache can re-check it.
   */
  observer: ((kind: 'p' | 'k' | 'd', absPath: string) => void) | null = null;
  private readonly targets = new Map<string, ImportTarget[]>();

  constructor(
    receiveMethods: readonly string[],
    private readonly rootDir: string,
    private readonly reader: SourceReader,
    /**
     * A directory's files and directories (symlinks followed): the cache's probe shares its
     * listings (the walk's, read once) so that a directory is not read again for its facts.
     */
    private readonly list: (dir: string) => ReadonlyMap<string, 'file' | 'dir'> = listEntries,
  ) {
    this.receiveLike = receiveLikePattern(receiveMethods);
  }

  /** Whether the loop analysis can find anything in this file. */
  needsLoopAnalysis(absPath: string, text: string): boolean {
    this.observer?.('p', absPath);
    const need = LOOP_KEYWORD.test(text) && (this.textMatches(absPath, text) || this.reachesReceive(absPath, text));
    if (need) this.analysed++;
    else this.skipped++;
    return need;
  }

  private textMatches(absPath: string, text: string | null): boolean {
    let m = this.matches.get(absPath);
    if (m === undefined) {
      m = text !== null && this.receiveLike.test(text);
      this.matches.set(absPath, m);
    }
    return m;
  }

  /** Depth-first over import edges; a completed search with no match proves every visited file cannot reach one. */
  private reachesReceive(start: string, text: string): boolean {
    const known = this.reaches.get(start);
    if (known !== undefined) return known;
    const visited = new Set<string>([start]);
    const stack: EdgeCursor[] = [new EdgeCursor(start, this.edgesOf(start, text))];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as EdgeCursor;
      const file = top.next();
      if (file === undefined) {
        stack.pop();
        continue;
      }
      if (visited.has(file)) continue;
      visited.add(file);
      const state = this.reaches.get(file);
      if (state === false) continue;
      if (state !== true) this.observer?.('p', file);
      const source = state === true ? null : this.reader.read(file);
      if (state === true || this.textMatches(file, source)) {
        for (const s of stack) this.reaches.set(s.file, true);
        return true;
      }
      stack.push(new EdgeCursor(file, this.edgesOf(file, source)));
    }
    for (const f of visited) this.reaches.set(f, false);
    return false;
  }

  private targetsOf(file: string, rel: string, text: string): ImportTarget[] {
    let t = this.targets.get(file);
    if (!t) {
      t = importTargets(text, rel);
      this.targets.set(file, t);
    }
    return t;
  }

  /**
   * All a file's text contributes to any verdict: whether it has a receive-like word, and what
   * it imports. An edit that changes neither (most edits) leaves every verdict standing.
   */
  signature(absPath: string, text: string): string {
    const rel = path.relative(this.rootDir, absPath).split(path.sep).join('/');
    return JSON.stringify([this.textMatches(absPath, text), this.targetsOf(absPath, rel, text)]);
  }

  private edgesOf(file: string, text: string | null): Edges {
    const known = this.edges.get(file);
    if (known) return known;
    const e: (readonly string[])[] = [];
    if (text !== null) {
      const rel = path.relative(this.rootDir, file).split(path.sep).join('/');
      // A name imported twice (prefixes repeat: `a`, `a.b`, `a.b.c`) finds nothing new.
      const targets = new Map<string, ImportTarget>();
      for (const t of this.targetsOf(file, rel, text)) {
        const key = `${t.recursive ? 1 : 0}${t.dotted}`;
        if (!targets.has(key)) targets.set(key, t);
      }
      for (const dir of this.ancestorsOf(path.dirname(file))) {
        let byName = this.probed.get(dir);
        if (!byName) this.probed.set(dir, (byName = new Map()));
        for (const [key, t] of targets) {
          let lists = byName.get(key);
          if (!lists) {
            const found: (readonly string[])[] = [];
            this.probe(dir, t, found);
            byName.set(key, (lists = found));
          }
          e.push(...lists);
        }
      }
    }
    this.edges.set(file, e);
    return e;
  }

  /** What the index could load for a name probed from a directory (findModuleFile): per directory, per name. */
  private readonly probed = new Map<string, Map<string, Edges>>();
  private readonly ancestors = new Map<string, string[]>();

  /**
   * `dir` and every directory above it up to the repository that holds it (the first with a
   * `.git`), else to the file system's root: where the module index looks for an import
   * (repo-index.ts findModuleFile). Above the repository, `import sys` found `/sys` and listed
   * every directory under it, and `/root`'s (marimo: 11,600 directories, ~2 s). The same strings
   * each time (their hashes are kept: ~700,000 lookups on 5,000 files).
   */
  private ancestorsOf(dir: string): string[] {
    let list = this.ancestors.get(dir);
    if (!list) {
      const parent = path.dirname(dir);
      this.observer?.('k', path.join(dir, '.git'));
      const top = parent === dir || this.entries(dir).has('.git');
      list = top ? [dir] : [dir, ...this.ancestorsOf(parent)];
      this.ancestors.set(dir, list);
    }
    return list;
  }

  /** `a.b.c` → `['a', 'b', 'c']`, once per name (each is probed from every ancestor directory). */
  private readonly partsOf = new Map<string, string[]>();

  /** Adds to `out` the lists of files a name can load from `dir` (a package's list is shared, not copied). */
  private probe(dir: string, t: ImportTarget, out: (readonly string[])[]): void {
    let parts = this.partsOf.get(t.dotted);
    if (!parts) this.partsOf.set(t.dotted, (parts = t.dotted.split('.').filter(Boolean)));
    if (parts.length === 0) return;
    let at = dir;
    // Only the names looked up are facts: a new file elsewhere in /tmp must not matter.
    // (Their paths are built only for an observer: most probes of a scan find nothing.)
    const observer = this.observer;
    for (let i = 0; i < parts.length; i++) {
      const entries = this.entries(at);
      const name = parts[i] as string;
      const last = i === parts.length - 1;
      observer?.('k', path.join(at, name));
      if (last) {
        observer?.('k', path.join(at, `${name}.py`));
        if (entries.has(`${name}.py`)) out.push([path.join(at, `${name}.py`)]);
        if (entries.get(name) === 'dir') {
          const pkg = path.join(at, name);
          if (t.recursive) out.push(this.pythonFilesUnder(pkg));
          else {
            observer?.('k', path.join(pkg, '__init__.py'));
            if (this.entries(pkg).has('__init__.py')) out.push([path.join(pkg, '__init__.py')]);
          }
        }
        return;
      }
      if (entries.get(name) !== 'dir') return;
      at = path.join(at, name);
    }
  }

  private entries(dir: string): ReadonlyMap<string, 'file' | 'dir'> {
    let m = this.dirEntries.get(dir);
    if (m) return m;
    m = this.list(dir);
    this.dirEntries.set(dir, m);
    return m;
  }

  /** Every `.py` file under a package directory (symlinked directories followed once). */
  private pythonFilesUnder(dir: string, seen = new Set<string>()): readonly string[] {
    const cached = this.pyUnder.get(dir);
    if (cached) return cached;
    const out: string[] = [];
    let real: string;
    try {
      // The native call: Node's own realpathSync lstat's every component (1.4 s on marimo's tree).
      real = realpathSync.native(dir);
    } catch {
      return out;
    }
    if (seen.has(real) || seen.size > 10_000) return out;
    seen.add(real);
    this.observer?.('d', dir);
    for (const [name, kind] of this.entries(dir)) {
      const p = path.join(dir, name);
      if (kind === 'file' && name.endsWith('.py')) out.push(p);
      else if (kind === 'dir') out.push(...this.pythonFilesUnder(p, seen));
    }
    this.pyUnder.set(dir, out);
    return out;
  }
}
