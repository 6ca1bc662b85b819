// Which type checker answers for a TS/JS file: the program of its nearest tsconfig.json (or of
// --project), built on the first question. Only files whose text can hold a message loop are its
// roots: the checker is asked about the receivers of sends and receives, and a file with no loop
// keyword or no such call has no loop for the answer to matter to.
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { TS } from './compiler.js';
import { configResolver, readTsconfig, type StopFor } from './tsconfig.js';
import { LivePrograms } from './live-programs.js';
import type { FsQuestion } from './recording-fs.js';
import { programOracle, type SocketType, type TypeOracle } from './types.js';

export interface TypePlanInput {
  ts: TS;
  /** The TS/JS files of the scan with the text the analysis sees. */
  files: readonly { absPath: string; text: string }[];
  /** `--project FILE` (absolute): this tsconfig for every file; a bad one is a usage error. */
  explicit: string | null;
  /** Where the search for a tsconfig.json stops going up (the root of each file's repository). */
  stopFor: StopFor;
  /** Paths in notes are relative to this directory. */
  cwd: string;
  receiveMethods: readonly string[];
  sourceOf(absPath: string): string | null;
}

const LOOP_WORD = /\b(?:for|while|do)\b|\.forEach\s*\(/;

/** Whether a file's text can hold a loop that sends or receives (a superset: strings and comments count). */
export function mayAskTypes(text: string, receiveMethods: readonly string[]): boolean {
  if (!LOOP_WORD.test(text)) return false;
  // The calls whose receiver the checker is asked about: sends, on/once(x, 'message').
  if (/\.(?:send|ping|pong)\s*\(|\b(?:on|once)\s*\(\s*[\w$.]+\s*,\s*['"`]message['"`]/.test(text)) return true;
  return receiveMethods.some((name) => name.length > 0 && text.includes(`${name}(`));
}

interface Governed {
  label: string;
  roots: Map<string, string>;
  /** The roots' paths, listed once (every asked file's basis names them). */
  rootPaths: readonly string[] | null;
  oracle: TypeOracle | null | undefined;
  /** Why this config gives no types (unreadable, or its checker failed), once known. */
  note: string | null;
  /**
   * Everything reading the config, building its program (every build) and answering from it
   * asked of the file system: a rebuild that found the tree changed answers some question
   * otherwise (engine/type-facts.ts then keeps nothing resting on it).
   */
  questions: FsQuestion[];
  /** Whether a program was built (its roots are then part of what an answer rests on). */
  built: boolean;
  /** false once an answer cannot be kept: the checker threw. */
  stable: boolean;
}

/** What the checker's answer about a file rests on (engine/type-facts.ts turns it into cache facts). */
export interface TypeBasis {
  /** The tsconfig.json that governs the file (the nearest one, or --project); null: none found. */
  config: string | null;
  /**
   * The program's roots (absolute paths) when the answer came from a program, [] when the config
   * governs no file that can ask (a new such file would make one); null when roots cannot matter
   * (no config, one that is not used, or a usable one whose program was never built: unstable).
   */
  roots: readonly string[] | null;
  /** Every file-system question reading the config, building its program and answering from it asked, so far (the live list: read it at once). */
  questions: readonly FsQuestion[];
  /** The note the config gives (not used, or its checker failed), or null. */
  note: string | null;
  /** false: no answer resting on it may be kept. */
  stable: boolean;
}

/** The type checkers of a scan. */
export interface PlannedTypes extends TypeOracle {
  /**
   * Whether asking about this file could do anything — answer, build a program, note a failure:
   * false where no usable tsconfig governs it (a worker thread's analysis, which had no checker,
   * stands for such files).
   */
  mayAnswer(absPath: string): boolean;
  /** What asking about this file rested on (call after the asks). */
  basisOf(absPath: string): TypeBasis;
  /** Every file of the scan that can ask, with the config that governs it (null: none): the roots of every program. */
  readonly askers: readonly { absPath: string; config: string | null }[];
}

/** The type checkers of a scan: the notes they give are reported where a file asks (basisOf). */
export function planTypes(input: TypePlanInput): PlannedTypes {
  const label = (file: string): string => path.relative(input.cwd, file).split(path.sep).join('/') || file;
  const configOf = configResolver(input.explicit, input.stopFor);
  const governed = new Map<string, Governed>();
  const askers: { absPath: string; config: string | null }[] = [];
  for (const f of input.files) {
    if (!mayAskTypes(f.text, input.receiveMethods)) continue;
    const cfg = configOf(f.absPath);
    askers.push({ absPath: f.absPath, config: cfg });
    if (cfg === null) continue;
    let g = governed.get(cfg);
    if (!g) {
      g = { label: label(cfg), roots: new Map(), rootPaths: null, oracle: undefined, note: null, questions: [], built: false, stable: true };
      governed.set(cfg, g);
    }
    g.roots.set(f.absPath, f.text);
  }
  const options = new Map<string, import('ts-morph').ts.CompilerOptions>();
  for (const [cfg, g] of governed) {
    const read = readTsconfig(input.ts, cfg, (q) => g.questions.push(q));
    if (read.ok) options.set(cfg, read.options);
    else if (input.explicit !== null) throw new UsageError(`--project ${g.label}: ${read.reason}`);
    else {
      g.note = `${g.label}: not used (${read.reason}); TS/JS socket types from imports and provenance only`;
      g.oracle = null;
    }
  }
  // A monorepo has a tsconfig per package: a few programs are kept (live-programs.ts).
  const live = new LivePrograms<Governed>((g) => (g.oracle = undefined));
  const usable = (absPath: string): { cfg: string; g: Governed } | null => {
    const cfg = configOf(absPath);
    const g = cfg === null ? undefined : governed.get(cfg);
    return cfg === null || !g || g.oracle === null ? null : { cfg, g };
  };
  const build = (cfg: string, g: Governed): TypeOracle => {
    const oracle = programOracle(input.ts, { options: options.get(cfg) ?? {}, roots: g.roots, sourceOf: input.sourceOf }, (q) => g.questions.push(q));
    g.built = true;
    return oracle;
  };
  /** A question to the program governing the file, built on the first one; `none` where there is no usable one. */
  const ask = <T>(absPath: string, none: T, question: (o: TypeOracle) => T): T => {
    const found = usable(absPath);
    if (!found) return none;
    const { cfg, g } = found;
    try {
      let oracle = g.oracle;
      if (oracle === undefined || oracle === null) {
        live.makeRoom();
        oracle = g.oracle = build(cfg, g);
      }
      live.use(g);
      return question(oracle);
    } catch (e) {
      // A program the compiler cannot build or check (a root nested too deep for its recursion):
      // noted where a file asks, and no types for the files it governs. The failure may depend
      // on the stack, not only on the files: nothing resting on it is kept.
      if (g.oracle === undefined) g.note = `${g.label}: type checker failed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); TS/JS socket types from imports and provenance only`;
      g.oracle ??= null;
      g.stable = false;
      return none;
    }
  };
  return {
    askers,
    mayAnswer: (absPath) => usable(absPath) !== null,
    basisOf(absPath: string): TypeBasis {
      const cfg = configOf(absPath);
      const g = cfg === null ? undefined : governed.get(cfg);
      if (cfg === null) return { config: null, roots: null, questions: [], note: null, stable: true };
      if (!g) return { config: cfg, roots: [], questions: [], note: null, stable: true };
      return {
        config: cfg,
        roots: g.built ? (g.rootPaths ??= [...g.roots.keys()]) : null,
        questions: g.questions,
        note: g.note,
        // A usable config whose program was never built answered nothing it could keep.
        stable: g.stable && (g.built || options.get(cfg) === undefined),
      };
    },
    socketAt: (absPath: string, start: number, width: number): SocketType | null => ask(absPath, null, (o) => o.socketAt(absPath, start, width)),
    nonSocketAt: (absPath: string, start: number, width: number): boolean => ask(absPath, false, (o) => o.nonSocketAt(absPath, start, width)),
  };
}
