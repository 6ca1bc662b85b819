// One file's public API at the base against its current text, for the `breaking` row: the same
// extraction and the same refusals for a changed or a deleted file, Python or TS/JS.
import { NestingLimitError } from '../languages/nesting.js';
import path from 'node:path';
import type { ApiDefinition, PublicApi } from '../languages/python/public-api.js';
import type { ModuleReader } from '../languages/typescript/public-api.js';
import type { LanguageId } from '../model.js';

/** One break, where it is (at base for a removal) and what it is, in one line. */
export interface ApiBreak {
  line: number;
  message: string;
  /** Not decidable from this file alone (a name an unread `export *` may bring, a function now a variable, a constructor taken from a base class): named, not counted as a break. */
  unsure?: true;
}

export type ApiComparison =
  /** Why the file was not compared, worded to stand in `file (…)`. */
  | { refused: string }
  /** How many definitions (Python) or exported declarations (TS/JS) the base had, and what callers lose. */
  | { refused: null; definitions: number; breaks: ApiBreak[] };

/** Where a TS/JS file lies on one side (as its reader names paths) and how to read the modules its `export * from` names there. */
export interface StarSide {
  from: string;
  read: ModuleReader;
}

export interface CompareOptions {
  /** The repository root (absolute): where a Python absolute import may start. */
  root?: string;
  /** Where `before` lay when the file was renamed (its extension decides how TS/JS parses it). */
  basePath?: string;
  /** TS/JS: how to list the names `export * from` brings, at the base and now (without: not decidable). */
  stars?: { base: StarSide; head: StarSide | null };
}

/**
 * The public API of `before` (the base) against `after`; `after` null: the file is gone, so every
 * name it had is removed. The extractors are imported here, on the first file that changed: a run
 * with nothing to compare does not pay for them.
 */
export async function compareApi(language: LanguageId, absPath: string, before: string, after: string | null, refName: string, opts: CompareOptions = {}): Promise<ApiComparison> {
  try {
    if (language === 'python') {
      const { diffPublicApi, diffReexports, extractPublicApi } = await import('../languages/python/public-api.js');
      // A package's `__init__.py` re-exports what it imports relatively.
      const packageInit = /(?:^|[\\/])__init__\.pyi?$/.test(absPath);
      const head = opts.stars?.head ?? null;
      // A definition moved to another module of the repository and imported back is compared there.
      const withImported = async (text: string): Promise<PublicApi> => {
        const api = await extractPublicApi(text);
        return head === null || api.syntaxErrorLine !== null ? api : { ...api, definitions: [...api.definitions, ...(await importedDefinitions(api, head, opts.root ?? null, extractPublicApi))] };
      };
      const diff = (b: PublicApi, a: PublicApi | null): ApiBreak[] => [...diffPublicApi(b.definitions, a?.definitions ?? [], a?.bindings), ...diffReexports(b, a, packageInit)];
      return await compareWith(extractPublicApi, withImported, (api) => api.definitions, diff, before, after, refName);
    }
    const { diffTsPublicApi, extractTsPublicApi, withStarExports } = await import('../languages/typescript/public-api.js');
    const at = (file: string, side: StarSide | null | undefined) => async (text: string) => {
      const api = await extractTsPublicApi(file, text);
      return side && api.syntaxErrorLine === null ? withStarExports(api, side.from, side.read) : api;
    };
    const compared = await compareWith(at(opts.basePath ?? absPath, opts.stars?.base), at(absPath, opts.stars?.head), (api) => api.exports, (b, a) => diffTsPublicApi(b.exports, a?.exports ?? []), before, after, refName);
    // A CommonJS module whose exports are built at run time (`Object.assign(module.exports, …)`,
    // `exports[name] = …`) lists nothing here: say so rather than pass on 0 declarations.
    if (compared.refused === null && compared.definitions === 0 && DYNAMIC_CJS.test(before)) return { refused: 'CommonJS exports built at run time, not compared' };
    return compared;
  } catch (e) {
    // A file too deep to parse safely is named, not compared (the scan noted it too). Only the
    // TS/JS extractor refuses depth: the Python one parses without the scan's depth check.
    if (!(e instanceof NestingLimitError)) throw e;
    return { refused: e.message };
  }
}

/**
 * The definitions a Python module imports from another module of the repository
 * (`from .other import f`, `from part2 import f as g`), under the names it binds, methods and
 * all: read now with `head`, relative imports from the file's package, absolute ones from beside
 * the file, the root or `src/`. A module not found adds nothing (the name stays not decidable).
 */
async function importedDefinitions(api: PublicApi, head: StarSide, root: string | null, extract: (text: string) => Promise<PublicApi>): Promise<ApiDefinition[]> {
  const out: ApiDefinition[] = [];
  const own = new Set(api.definitions.map((d) => d.name));
  const cache = new Map<string, Promise<PublicApi | null>>();
  for (const [name, b] of api.bindings.names) {
    if (b.from === undefined || own.has(name) || name.startsWith('_')) continue;
    const module = b.from.module;
    const dots = /^\.*/.exec(module)?.[0].length ?? 0;
    const tail = module.slice(dots).replace(/\./g, '/');
    const up = dots > 1 ? '../'.repeat(dots - 1) : '';
    const dirs = dots > 0 ? [up || './'] : ['./', ...(root === null ? [] : [path.relative(path.dirname(head.from), root) || '.', path.relative(path.dirname(head.from), path.join(root, 'src'))].map((d) => `${d}/`))];
    const candidates = dirs.flatMap((d) => (tail === '' ? [`${d}__init__.py`] : [`${d}${tail}.py`, `${d}${tail}/__init__.py`]));
    const key = candidates.join('\n');
    let found = cache.get(key);
    if (!found) {
      found = head.read(head.from, candidates).then(async (m) => (m === null ? null : extract(m.text)));
      cache.set(key, found);
    }
    const target = await found;
    if (target === null || target.syntaxErrorLine !== null) continue;
    const original = b.from.name;
    for (const d of target.definitions) {
      // At the import's line: the detail names this file.
      if (d.name === original) out.push({ ...d, name, line: b.line });
      else if (d.name.startsWith(`${original}.`)) out.push({ ...d, name: `${name}${d.name.slice(original.length)}`, line: b.line });
    }
  }
  return out;
}

/** CommonJS exports the extractor does not read: assigned through a computed name, `Object.assign` or `Object.defineProperty`. */
const DYNAMIC_CJS = /\b(?:module\.)?exports\s*\[|Object\.(?:assign|defineProperty|defineProperties)\(\s*(?:module\.)?exports\b/;

async function compareWith<Api extends { syntaxErrorLine: number | null }, Item>(
  extractBase: (text: string) => Promise<Api>,
  extract: (text: string) => Promise<Api>,
  items: (api: Api) => Item[],
  /** `after` null: the file is gone. */
  diff: (before: Api, after: Api | null) => ApiBreak[],
  before: string,
  after: string | null,
  refName: string,
): Promise<ApiComparison> {
  const old = await extractBase(before);
  const cur = after === null ? null : await extract(after);
  // A parser recovers from errors, but what it drops would read as removed names.
  if (old.syntaxErrorLine !== null) return { refused: `does not parse at ${refName}, line ${old.syntaxErrorLine}` };
  if (cur !== null && cur.syntaxErrorLine !== null) return { refused: `does not parse, line ${cur.syntaxErrorLine}` };
  return { refused: null, definitions: items(old).length, breaks: diff(old, cur) };
}
