// One TS/JS file's analysis as the main thread and the worker threads of the parallel scan
// (script-pool.ts) both run it: the project records every relative import it resolves (the
// result cache's facts) and every question put to the type checker.
import { analyzeTypeScript } from '../languages/typescript/analyze.js';
import type { TS } from '../languages/typescript/compiler.js';
import { TsProject, type ConfiguredNames, type SourceReader } from '../languages/typescript/module.js';
import type { SocketType, TypeOracle } from '../languages/typescript/types.js';
import type { FileAnalysis } from '../model.js';
import type { FactLog } from './deps.js';

/**
 * Every question put to the type checker is recorded, with or without a checker: a file that
 * never asked has the same result in every types mode and is cached with the facts it read; one
 * that asked is cached on what the answers rest on (engine/type-facts.ts: the governing
 * tsconfig.json and everything its program read). A worker thread has no checker: the files it
 * asks about tell the main thread whether its answer could differ there.
 */
export class AskRecorder implements TypeOracle {
  /** The files asked about (an imported helper's too), since the last reset. */
  readonly asked = new Set<string>();
  constructor(public inner: TypeOracle | null) {}
  socketAt(absPath: string, start: number, width: number): SocketType | null {
    this.asked.add(absPath);
    return this.inner ? this.inner.socketAt(absPath, start, width) : null;
  }
  nonSocketAt(absPath: string, start: number, width: number): boolean {
    this.asked.add(absPath);
    return this.inner ? this.inner.nonSocketAt(absPath, start, width) : false;
  }
}

/** The analyser one thread keeps for the whole scan (one parsed file at a time, its imports as they come). */
export class ScriptAnalyser {
  readonly project: TsProject;
  readonly recorder = new AskRecorder(null);
  private log: FactLog | null = null;

  constructor(
    ts: TS,
    reader: SourceReader,
    names: ConfiguredNames,
    private readonly guardHelpers: readonly string[],
    /** false: `--no-prefilter` (languages/typescript/prefilter.ts). */
    private readonly prefilter = true,
    /** Diff-aware runs: loops note the files their guards rest on (`MessageLoop.dependsOn`). */
    private readonly dependencies = false,
  ) {
    const self = this;
    // Every import a file's analysis resolves goes through module(path): what its result rests on.
    class RecordingProject extends TsProject {
      override module(absPath: string, text?: string): ReturnType<TsProject['module']> {
        if (text === undefined) self.log?.add('r', absPath);
        return super.module(absPath, text);
      }
    }
    this.project = new RecordingProject(ts, reader, names);
    this.project.types = this.recorder;
  }

  /** Analyses one file (throws what the analysis throws), recording its facts in `log`. */
  analyse(relPath: string, absPath: string, text: string, log: FactLog | null): FileAnalysis {
    this.log = log;
    this.recorder.asked.clear();
    try {
      return analyzeTypeScript(relPath, absPath, text, { project: this.project, guardHelpers: this.guardHelpers, prefilter: this.prefilter, dependencies: this.dependencies });
    } finally {
      this.log = null;
      // Drop the file's tree once analysed (a later import parses it again if it needs it):
      // keeping every tree took 1.8 GB on 5,000 files.
      this.project.forget(absPath);
    }
  }
}
