// The repository module index: resolves `from app.ws_utils import wait_for_handshake` to the
// file that defines it, by probing the directories above the importing file (as sys.path
// roots would), and keeps the parsed helper modules for the rest of the scan.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Parser, Tree } from 'web-tree-sitter';
import { dottedChain } from './imports.js';
import { parseTolerant } from './parser.js';
import { buildModule, type PyFunction, type PyModule } from './module.js';
import { NestingLimitError } from '../nesting.js';
import { field, findInScope, named, unwrap, type PyNode } from './nodes.js';

/** A call in another file of the repository to a function: where, and in which function. */
export interface CallerSite {
  caller: PyFunction;
  call: PyNode;
}

/** Files `callersOf` looks through at most (a repository's Python files, in directory order). */
const MAX_CALLER_FILES = 5000;
const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'site-packages']);
const CALL_NODES: ReadonlySet<string> = new Set(['call']);

/** Re-exports followed from one name at most (a chain longer than this is no helper worth finding). */
const MAX_REEXPORT_HOPS = 32;

export interface SourceReader {
  /** The content to analyse for a file (working tree, or the git index with --staged); null if unreadable. */
  read(absPath: string): string | null;
}

/** What a lookup looked at (`r` a file read, `f` is-a-file probe, `e` exists probe): the result cache re-checks them. */
export type IndexFact = (kind: 'r' | 'f' | 'e' | 'd', absPath: string) => void;

/** A module the index parsed, with the tree and the text it was parsed from. */
export interface ParsedModule {
  module: PyModule;
  tree: Tree;
  source: string;
}

export class RepoIndex {
  private readonly modules = new Map<string, PyModule | null>();
  private readonly trees: Tree[] = [];
  /** The modules the index parsed itself, by path: the scan's analysis of that file reuses them, and they outlive its register/forget. */
  private readonly parsed = new Map<string, ParsedModule>();
  /** Told every fact a lookup depends on, remembered ones included (set per analysed file by the cache). */
  observer: IndexFact | null = null;
  /**
   * Set by the loop search of a diff-aware run: the files of the modules a lookup went into (the
   * one defining the name, and the packages re-exporting it on the way), which a loop's guard or
   * receive therefore rests on (`MessageLoop.dependsOn`).
   */
  resolvedInto: Set<string> | null = null;

  constructor(
    private readonly parser: Parser,
    private readonly rootDir: string,
    private readonly reader: SourceReader,
  ) {}

  /** Registers a module parsed by the scan so helper lookups reuse it. */
  register(module: PyModule): void {
    this.modules.set(module.absPath, module);
  }

  /** Unregisters a module the scan registered; the index's own parse of the file, if it made one, stands again. */
  forget(absPath: string): void {
    const own = this.parsed.get(absPath);
    if (own) this.modules.set(absPath, own.module);
    else this.modules.delete(absPath);
  }

  /**
   * The index's module of a file, when it parsed exactly this source under this report name
   * (a helper loaded before the scan reached its file): the scan analyses it without parsing it
   * again. Its tree belongs to the index (freed by dispose()).
   */
  parsedAs(absPath: string, file: string, source: string): ParsedModule | null {
    const own = this.parsed.get(absPath);
    return own && own.source === source && own.module.file === file ? own : null;
  }

  private load(absPath: string): PyModule | null {
    this.observer?.('r', absPath);
    if (this.modules.has(absPath)) return this.modules.get(absPath) ?? null;
    const source = this.reader.read(absPath);
    let module: PyModule | null = null;
    if (source !== null) {
      try {
        const { tree, text } = parseTolerant(this.parser, source);
        this.trees.push(tree);
        const rel = path.relative(this.rootDir, absPath).split(path.sep).join('/');
        module = buildModule(rel, absPath, text, tree.rootNode);
        this.parsed.set(absPath, { module, tree, source });
      } catch (e) {
        // A helper nested too deep to analyse is a helper we cannot see, not a failure of the importer.
        if (!(e instanceof NestingLimitError)) throw e;
      }
    }
    this.modules.set(absPath, module);
    return module;
  }

  private readonly probes = new Map<string, { found: string | null; facts: [kind: 'f' | 'e', absPath: string][] }>();

  /**
   * Finds the file of a dotted module, probing from the importer's directory upward as sys.path
   * roots would (the nearest match wins; the scan may start inside the package), never above
   * the importer's own repository.
   */
  private findModuleFile(dotted: string, fromFile: string): string | null {
    const rel = dotted.split('.').join(path.sep);
    const start = path.dirname(fromFile);
    const key = `${start}\0${dotted}`;
    let probe = this.probes.get(key);
    if (!probe) {
      probe = { found: null, facts: [] };
      for (let dir = start; ; dir = path.dirname(dir)) {
        for (const candidate of [path.join(dir, `${rel}.py`), path.join(dir, rel, '__init__.py')]) {
          if (probe.found) continue;
          probe.facts.push(['f', candidate]);
          if (existsSync(candidate) && statSync(candidate).isFile()) probe.found = candidate;
        }
        // Up to the repository that holds the importer (its git root), else the filesystem root.
        if (probe.found || path.dirname(dir) === dir) break;
        probe.facts.push(['e', path.join(dir, '.git')]);
        if (existsSync(path.join(dir, '.git'))) break;
      }
      this.probes.set(key, probe);
    }
    if (this.observer) for (const [kind, p] of probe.facts) this.observer(kind, p);
    return probe.found;
  }

  /**
   * Resolves a qualified name (`app.ws_utils.wait_for_handshake`) to a repository function.
   * `seen`: the names already followed through re-exports — an import cycle (a module that
   * shadows what it imports, `app/typing.py` doing `from typing import cast`; two modules
   * re-exporting each other) ends the search instead of overflowing the stack.
   */
  lookup(qualified: string, fromFile: string, seen = new Set<string>()): PyFunction | null {
    const key = `${fromFile}\0${qualified}`;
    if (seen.has(key) || seen.size >= MAX_REEXPORT_HOPS) return null;
    seen.add(key);
    const parts = qualified.split('.');
    for (let cut = parts.length - 1; cut >= 1; cut--) {
      const file = this.findModuleFile(parts.slice(0, cut).join('.'), fromFile);
      if (!file) continue;
      const module = this.load(file);
      // Even when the name is not (or no longer) there: the loop's verdict rests on this file.
      this.resolvedInto?.add(file);
      if (!module) return null;
      const rest = parts.slice(cut).join('.');
      const fn = module.byName.get(rest) ?? module.functions.find((f) => f.qualifiedName === rest) ?? null;
      if (fn) return fn;
      // A re-export: `from .impl import helper` in a package's __init__.py (or `from .impl import *`).
      const reexport = importedName(parts[cut] ?? '', module, this, seen);
      if (reexport && reexport !== qualified) return this.lookup([reexport, ...parts.slice(cut + 1)].join('.'), file, seen);
      return null;
    }
    return null;
  }

  /**
   * The qualified name a `from m import *` of the module binds `name` to (`m.name`, or where m's
   * own star imports bring it from), or null: the last star module that offers it — what its
   * `__all__` lists when it has one (a list or tuple of string literals), else its public (no
   * leading `_`) names — and binds: top-level definitions, assignments and imports, or its own
   * star imports (a cycle ends the search). A name the module binds itself is not asked about.
   */
  starName(name: string, module: PyModule, seen = new Set<string>()): string | null {
    const stars = module.imports.starModules;
    for (let i = stars.length - 1; i >= 0; i--) {
      const dotted = stars[i] as string;
      const key = `*${dotted}\0${name}`;
      if (seen.has(key) || seen.size >= MAX_REEXPORT_HOPS) continue;
      seen.add(key);
      const file = this.findModuleFile(dotted, module.absPath);
      const star = file ? this.load(file) : null;
      if (!star) continue;
      const offered = topLevelNames(star);
      if (offered.all ? !offered.all.has(name) : name.startsWith('_')) continue;
      if (offered.bound.has(name)) return `${dotted}.${name}`;
      // Brought by the star module's own star imports: the module that binds it.
      const deeper = this.starName(name, star, seen);
      if (deeper) return deeper;
    }
    return null;
  }

  private pyFiles: string[] | null = null;
  /** The directories `repositoryFiles` listed: a new caller file changes one of their listings. */
  private pyDirs: string[] = [];
  private readonly callerMemo = new WeakMap<PyFunction, { sites: CallerSite[]; read: string[] }>();

  /**
   * The Python files of the repository below the root, in a stable order, for `callersOf`:
   * hidden directories, virtual environments (a `pyvenv.cfg`), `node_modules`, `site-packages`
   * and `__pycache__` left out, at most MAX_CALLER_FILES of them.
   */
  private repositoryFiles(): string[] {
    if (this.pyFiles) return this.pyFiles;
    const out: string[] = [];
    const stack = [this.rootDir];
    while (stack.length > 0 && out.length < MAX_CALLER_FILES) {
      const dir = stack.pop() as string;
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? 1 : -1));
      } catch {
        continue;
      }
      if (dir !== this.rootDir && entries.some((e) => e.name === 'pyvenv.cfg')) continue;
      this.pyDirs.push(dir);
      for (const e of entries) {
        if (e.name.startsWith('.') || SKIPPED_DIRS.has(e.name)) continue;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) stack.push(p);
        else if (e.isFile() && e.name.endsWith('.py')) out.push(p);
      }
    }
    return (this.pyFiles = out.slice(0, MAX_CALLER_FILES));
  }

  /**
   * The calls in other files of the repository that go to a function (`pump(websocket)` in
   * main.py, `from .pump import pump`, `pm.pump2(…)`): what they pass says what the function's
   * parameters are (README: a caller in the scan passing a real connection counts). Only files
   * that name the function are parsed; each one read is a fact the result cache re-checks.
   */
  callersOf(target: PyFunction): CallerSite[] {
    // A result that rests on who calls the function rests on every listing searched too: a caller
    // file added later must make a cached result be analysed again ('d' facts, deps.ts).
    const files = this.repositoryFiles();
    if (this.observer) for (const dir of this.pyDirs) this.observer('d', dir);
    const known = this.callerMemo.get(target);
    if (known) {
      if (this.observer) for (const file of known.read) this.observer('r', file);
      return known.sites;
    }
    const sites: CallerSite[] = [];
    const read: string[] = [];
    const word = new RegExp(`\\b${target.name.replace(/[^\w]/g, '')}\\b`);
    for (const file of files) {
      if (file === target.module.absPath) continue;
      this.observer?.('r', file);
      read.push(file);
      const text = this.reader.read(file);
      if (text === null || !word.test(text)) continue;
      const module = this.load(file);
      if (!module) continue;
      for (const caller of [module.top, ...module.functions]) {
        for (const call of findInScope(caller.node, CALL_NODES)) {
          const callee = field(call, 'function');
          const chain = callee ? dottedChain(callee) : null;
          if (chain?.[chain.length - 1] !== target.name) continue;
          if (resolveCall(call, caller, this) === target) sites.push({ caller, call });
        }
      }
    }
    this.callerMemo.set(target, { sites, read });
    return sites;
  }

  /** Frees every tree the index parsed (wasm memory is not garbage-collected). */
  dispose(): void {
    for (const t of this.trees) t.delete();
    this.trees.length = 0;
    this.modules.clear();
    this.parsed.clear();
  }
}

/** A module's own top-level names: `def`, `class`, assigned names, imports; and `__all__` when it is a literal list. */
interface TopLevelNames {
  bound: ReadonlySet<string>;
  all: ReadonlySet<string> | null;
}

const topLevelMemo = new WeakMap<PyModule, TopLevelNames>();

function topLevelNames(module: PyModule): TopLevelNames {
  let known = topLevelMemo.get(module);
  if (known) return known;
  const bound = new Set<string>(module.imports.names.keys());
  let all: Set<string> | null = null;
  const visit = (stmts: PyNode[]): void => {
    for (const st of stmts) {
      const def = st.type === 'decorated_definition' ? field(st, 'definition') : st;
      if (def && (def.type === 'function_definition' || def.type === 'class_definition')) {
        const n = field(def, 'name')?.text;
        if (n) bound.add(n);
        continue;
      }
      // Definitions under a module-level `if`/`try` (`if TYPE_CHECKING: … else: …`) bind too.
      if (['if_statement', 'try_statement', 'elif_clause', 'else_clause', 'except_clause', 'finally_clause', 'block'].includes(st.type)) {
        visit(named(st));
        continue;
      }
      const a = st.type === 'expression_statement' ? named(st)[0] : null;
      if (a?.type !== 'assignment') continue;
      const left = field(a, 'left');
      if (left?.type === 'identifier') bound.add(left.text);
      const right = field(a, 'right');
      if (left?.text === '__all__' && (right?.type === 'list' || right?.type === 'tuple')) {
        const items = named(right);
        const names = items.map((it) => (it.type === 'string' && !named(it).some((c) => c.type === 'interpolation') ? /^[rRuU]?(['"])(.*)\1$/s.exec(it.text)?.[2] : undefined));
        all = names.every((x): x is string => x !== undefined) ? new Set(names as string[]) : null;
      }
    }
  };
  visit(named(module.root));
  known = { bound, all };
  topLevelMemo.set(module, known);
  return known;
}

/**
 * The qualified name an imported local name stands for: `from m import x` → `m.x`, else (the
 * module has star imports and does not bind the name itself) what a star module offers.
 */
export function importedName(head: string, module: PyModule, index: RepoIndex | null, seen?: Set<string>): string | null {
  const explicit = module.imports.names.get(head);
  if (explicit !== undefined) return explicit;
  if (!index || module.imports.starModules.length === 0) return null;
  const own = topLevelNames(module);
  if (own.bound.has(head)) return null;
  return index.starName(head, module, seen);
}

/**
 * The repository function a call goes to: a function of the module, a method of the same class
 * through `self`/`cls`, a nested function of an enclosing function, or an imported repository function.
 */
export function resolveCall(call: PyNode, fn: PyFunction, index: RepoIndex | null): PyFunction | null {
  const callee = field(call, 'function');
  if (!callee) return null;
  const module = fn.module;
  const chain = dottedChain(callee);
  if (!chain) return null;
  if (chain.length === 2 && (chain[0] === 'self' || chain[0] === 'cls') && fn.classNode) {
    const cls = fn.classNode;
    return module.functions.find((f) => f.classNode?.id === cls.id && f.name === chain[1]) ?? null;
  }
  if (chain.length === 1) {
    const name = chain[0] as string;
    // Closures first: a nested def in this function or an enclosing one.
    for (let scope: PyFunction | null = fn; scope; scope = scope.parent) {
      const nested = module.functions.find((f) => f.parent === scope && f.name === name && !f.classNode);
      if (nested) return nested;
    }
    const top = module.byName.get(name);
    if (top) return top;
  }
  if (callee.type === 'attribute' && !(chain.length === 2 && (chain[0] === 'self' || chain[0] === 'cls'))) {
    const viaInstance = resolveMethod(field(callee, 'object') as PyNode, chain[chain.length - 1] as string, fn, index);
    if (viaInstance) return viaInstance;
  }
  if (!index) return null;
  const head = importedName(chain[0] as string, module, index);
  if (!head) return null;
  return index.lookup([head, ...chain.slice(1)].join('.'), module.absPath);
}

// name (or `self.x`) → the callee of the call it was assigned from, per function and per class.
const constructions = new WeakMap<PyNode, Map<string, PyNode>>();

function constructionsIn(scopes: PyNode[], key: PyNode): Map<string, PyNode> {
  let map = constructions.get(key);
  if (map) return map;
  map = new Map();
  for (const scope of scopes) {
    for (const a of findInScope(scope, new Set(['assignment']))) {
      const left = field(a, 'left');
      const right = field(a, 'right');
      const value = right ? unwrap(right) : null;
      const callee = value?.type === 'call' ? field(value, 'function') : null;
      if (left && callee && !map.has(left.text)) map.set(left.text, callee);
    }
  }
  constructions.set(key, map);
  return map;
}

/** The class an object was constructed from: `C(...)`, or a name / `self.x` assigned `C(...)`. */
function constructedClass(obj: PyNode, fn: PyFunction): PyNode | null {
  const o = unwrap(obj);
  if (o.type === 'call') return field(o, 'function');
  const isSelfAttr = o.type === 'attribute' && field(o, 'object')?.text === 'self';
  if (o.type !== 'identifier' && !isSelfAttr) return null;
  if (isSelfAttr) {
    const cls = fn.classNode;
    if (!cls) return null;
    const methods = fn.module.functions.filter((f) => f.classNode?.id === cls.id).map((f) => f.node);
    return constructionsIn(methods, cls).get(o.text) ?? null;
  }
  const own = constructionsIn([fn.node], fn.node).get(o.text);
  if (own) return own;
  // A module-level instance (`manager = ConnectionManager()`) the function does not bind itself
  // (no parameter, no assignment of its own: then the name is the function's).
  if (fn.node.id === fn.module.root.id || fn.params.some((p) => p.name === o.text) || boundIn(fn, o.text)) return null;
  return constructionsIn([fn.module.root], fn.module.root).get(o.text) ?? null;
}

/** Whether the function assigns the name itself (any assignment, a call or not). */
function boundIn(fn: PyFunction, name: string): boolean {
  return findInScope(fn.node, new Set(['assignment'])).some((a) => field(a, 'left')?.text === name);
}

/** `obj.method(...)` where obj is an instance of a repository class. */
export function resolveMethod(obj: PyNode, method: string, fn: PyFunction, index: RepoIndex | null): PyFunction | null {
  const cls = constructedClass(obj, fn);
  const chain = cls ? dottedChain(cls) : null;
  if (!cls || !chain) return null;
  const module = fn.module;
  const local = module.functions.find((f) => f.qualifiedName === `${chain.join('.')}.${method}`);
  if (local) return local;
  const head = index ? importedName(chain[0] as string, module, index) : null;
  if (!head || !index) return null;
  return index.lookup([head, ...chain.slice(1), method].join('.'), module.absPath);
}
