// What a TS/JS result that asked the type checker rests on (issue #8). The checker's answer is a
// function of which tsconfig.json governs the file (found below the repository roots, which are
// in the shard's salt, or --project, whose text is), of its program — the options, the roots'
// texts and every answer the file system gave while the config was read, the program built and
// answers given (recording-fs.ts) — and of the compiler, part of the tool's build. All of it
// becomes cache facts: such a result is kept, and reused while none of them changes. A program's
// facts are one shared set that every file asking it names, taken once the scan has asked
// everything (a superset of what each answer read).
import type { FsQuestion } from '../languages/typescript/recording-fs.js';
import { configResolver, tsconfigCandidates, type StopFor } from '../languages/typescript/tsconfig.js';
import { mayAskTypes, type PlannedTypes, type TypeBasis } from '../languages/typescript/type-router.js';
import type { Entry, EntryExtras } from './cache.js';
import { contentHash, listingHash, type Fact, type FactProbe } from './deps.js';
import { RACY_MS } from './stat-index.js';

/** Which tsconfig.json governs a file: --project's (explicit), or the nearest one found below its stop. */
export interface ConfigChoice {
  explicit: string | null;
  stopFor: StopFor;
}

/** A file's own facts and its entry's extras (but the notes and whether it can ask, which its caller knows), for a result that asked the checker. */
export interface TypedResult {
  facts: Fact[];
  extras: Pick<EntryExtras, 'shared' | 'typed'>;
}

/** The notes a file's asks give (a config not used, a checker that failed), whether or not its result can be kept. */
export function typeNotes(plan: PlannedTypes | null, asked: Iterable<string>): string[] {
  const notes = new Set<string>();
  for (const p of asked) {
    const note = plan?.basisOf(p).note ?? null;
    if (note !== null) notes.add(note);
  }
  return [...notes];
}

/** A program's roots as one key (a typed entry is reused only where this run would build the same program). */
export function rootsKey(roots: readonly string[]): string {
  return contentHash(JSON.stringify([...roots].sort()));
}

/**
 * The reused type-aware results whose program this run would build from other roots: every file
 * that can ask under each of their configs (a reused one says so, `asker`; a file analysed now
 * is read). A new, changed or unstaged file may add a root or remove one.
 */
export function typedHitsToRedo<H extends { entry: Entry }>(
  hits: readonly H[],
  reusedAskers: readonly string[],
  analysedNow: readonly { d: { absPath: string }; text: string }[],
  choice: ConfigChoice & { receiveMethods: readonly string[] },
): H[] {
  const configOf = configResolver(choice.explicit, choice.stopFor);
  const roots = new Map<string, string[]>();
  const askingNow = analysedNow.filter((p) => mayAskTypes(p.text, choice.receiveMethods)).map((p) => p.d.absPath);
  for (const absPath of [...reusedAskers, ...askingNow]) {
    const config = configOf(absPath);
    if (config === null) continue;
    const list = roots.get(config);
    if (list) list.push(absPath);
    else roots.set(config, [absPath]);
  }
  const keys = new Map<string, string>();
  const keyOf = (config: string): string => {
    let key = keys.get(config);
    if (key === undefined) keys.set(config, (key = rootsKey(roots.get(config) ?? [])));
    return key;
  };
  return hits.filter(({ entry }) => (entry.typed ?? []).some(([config, key]) => keyOf(config) !== key));
}

export class TypeFacts {
  /** Per config: its shared set (null: an answer resting on it cannot be kept). Asked for once every file is analysed. */
  private readonly sets = new Map<string, { id: string; facts: Fact[] } | null>();
  /** Which config governs every file that can ask (the programs' roots), as one shared set; null: not computed yet. */
  private selection: { id: string; facts: Fact[] } | null | undefined;
  /** Per config: its roots' key (the roots are final once every file is analysed). */
  private readonly keys = new Map<string, string>();

  constructor(
    private readonly plan: PlannedTypes,
    private readonly choice: ConfigChoice,
    private readonly probe: FactProbe,
  ) {}

  /** The facts of a file that asked the checker about `asked` (itself, an imported helper); null: its result cannot be kept. */
  of(asked: Iterable<string>): TypedResult | null {
    const facts: Fact[] = [];
    const shared = new Map<string, { id: string; facts: Fact[] }>();
    const typed = new Map<string, string>();
    for (const p of asked) {
      const basis = this.plan.basisOf(p);
      if (!basis.stable) return null;
      // Which config governs it: every candidate up to the one found (--project: always that one).
      if (this.choice.explicit === null && !this.addSelection(facts, p, basis.config)) return null;
      if (basis.config === null) continue;
      if (basis.roots !== null) {
        let key = this.keys.get(basis.config);
        if (key === undefined) this.keys.set(basis.config, (key = rootsKey(basis.roots)));
        typed.set(basis.config, key);
        // The program's roots are every file that can ask under its config: where each of them
        // is governed is part of what the answer rests on (the report memo checks only facts).
        const selection = this.selectionSet();
        if (selection === null) return null;
        if (selection.facts.length > 0) shared.set(selection.id, selection);
      }
      const set = this.setOf(basis.config, basis);
      if (set === null) return null;
      shared.set(set.id, set);
    }
    return { facts, extras: { shared: [...shared.values()], typed: [...typed] } };
  }

  /** The existence of every tsconfig.json candidate from a file up to its config; false when the probe disagrees now. */
  private addSelection(facts: Fact[], file: string, config: string | null): boolean {
    for (const c of tsconfigCandidates(file, this.choice.stopFor)) {
      const v = this.probe.observe('e', c);
      if (v !== (c === config ? '1' : '0')) return false;
      facts.push(['e', c, v]);
      if (c === config) break;
    }
    return true;
  }

  private selectionSet(): { id: string; facts: Fact[] } | null {
    if (this.selection === undefined) {
      const facts: Fact[] = [];
      const ok = this.choice.explicit !== null || this.plan.askers.every((a) => this.addSelection(facts, a.absPath, a.config));
      const unique = [...new Map(facts.map((f) => [f[1], f])).values()];
      this.selection = ok ? { id: contentHash(JSON.stringify(unique)), facts: unique } : null;
    }
    return this.selection;
  }

  private setOf(config: string, basis: TypeBasis): { id: string; facts: Fact[] } | null {
    let set = this.sets.get(config);
    if (set === undefined) {
      const facts = factsOfQuestions(basis.questions, this.probe);
      if (facts !== null) for (const root of basis.roots ?? []) facts.push(['r', root, this.probe.observe('r', root)]);
      set = facts === null ? null : { id: contentHash(JSON.stringify(facts)), facts };
      this.sets.set(config, set);
    }
    return set;
  }
}

/**
 * The file system's answers as facts, deduplicated; null when one cannot be relied on: a read
 * too close to its file's last change (racy), or an answer the probe would not give now (the
 * tree changed while the program was built).
 */
function factsOfQuestions(questions: readonly FsQuestion[], probe: FactProbe): Fact[] | null {
  const byKey = new Map<string, Fact>();
  for (const q of questions) {
    let fact: Fact;
    if (q.kind === 'read') {
      if (q.stamp !== null && q.stamp.changedMs >= q.at - RACY_MS) return null;
      fact = ['s', q.path, q.stamp?.key ?? ''];
    } else if (q.kind === 'list') {
      const v = probe.observe('d', q.path);
      if (v !== listingHash(q.entries)) return null;
      fact = ['d', q.path, v];
    }
    else {
      const kind = q.kind === 'file' ? 'f' : q.kind === 'dir' ? 'D' : 'l';
      const v = probe.observe(kind, q.path);
      if (v !== (q.kind === 'realpath' ? q.answer : q.answer ? '1' : '0')) return null;
      fact = [kind, q.path, v];
    }
    const key = `${fact[0]}\0${fact[1]}`;
    const had = byKey.get(key);
    if (had && had[2] !== fact[2]) return null;
    byKey.set(key, fact);
  }
  return [...byKey.values()];
}
