// The TS/JS half of the pipeline: the compiler is loaded only when a TS/JS file is scanned.
import { NestingLimitError } from '../languages/nesting.js';
import type { FileAnalysis } from '../model.js';
import type { DiscoveredFile } from './discover.js';
import type { ReadResult } from './read.js';

export interface ScriptScan {
  reader: { read(absPath: string): string | null };
  readFile(absPath: string): ReadResult;
  gated: ReadonlySet<string>;
  analysed: FileAnalysis[];
  notes: string[];
  guardHelpers: readonly string[];
  /** Config `receiveMethods` and `connectionNames`, honoured for TS/JS as for Python. */
  receiveMethods: readonly string[];
  connectionNames: readonly string[];
  overrides?: ReadonlyMap<string, string>;
  /** Called after each TS/JS file (the CLI's progress bar). */
  onFile?: () => void;
  /**
   * Socket types from the compiler's checker: false (`--no-types`) never; a path (`--project`)
   * with that tsconfig.json; else with the nearest tsconfig.json found above each file.
   */
  types: false | { explicit: string | null; stopDir: string; cwd: string };
}

export async function analyseScripts(discovered: readonly DiscoveredFile[], scan: ScriptScan, sources: Map<string, string | null>): Promise<void> {
  const scripts = discovered.filter((d) => d.language === 'typescript' || d.language === 'javascript');
  if (scripts.length === 0) return;
  const { loadTypeScript } = await import('../languages/typescript/compiler.js');
  const { TsProject } = await import('../languages/typescript/module.js');
  const { analyzeTypeScript } = await import('../languages/typescript/analyze.js');
  const ts = await loadTypeScript();
  const project = new TsProject(ts, scan.reader, { receiveMethods: scan.receiveMethods, connectionNames: scan.connectionNames });
  // Every file is read first: the type checker's program is built from the texts that can need it.
  const texts: { d: DiscoveredFile; text: string }[] = [];
  for (const d of scripts) {
    const override = scan.overrides?.get(d.absPath);
    const r = override !== undefined ? ({ ok: true, text: override } as const) : scan.readFile(d.absPath);
    if (!r.ok) {
      if (scan.gated.has(d.absPath)) {
        scan.analysed.push(empty(d, r.reason));
        scan.notes.push(`${d.relPath}: not read: ${r.reason}`);
      }
      continue;
    }
    sources.set(d.absPath, r.text);
    texts.push({ d, text: r.text });
  }
  if (scan.types !== false) {
    const { planTypes } = await import('../languages/typescript/type-router.js');
    project.types = await planTypes({
      ts,
      files: texts.map((t) => ({ absPath: t.d.absPath, text: t.text })),
      explicit: scan.types.explicit,
      stopDir: scan.types.stopDir,
      cwd: scan.types.cwd,
      receiveMethods: scan.receiveMethods,
      sourceOf: (absPath) => scan.overrides?.get(absPath) ?? scan.reader.read(absPath),
      note: (message) => scan.notes.push(message),
    });
  }
  for (const { d, text } of texts) {
    try {
      scan.analysed.push(analyzeTypeScript(d.relPath, d.absPath, text, { project, guardHelpers: scan.guardHelpers }));
      // Drop the file's tree once analysed (a later import parses it again if it needs it):
      // keeping every tree took 1.8 GB on 5,000 files.
      project['modules'].delete(d.absPath);
      scan.onFile?.();
    } catch (e) {
      // One file the analyser cannot handle must not stop the scan: report it and go on.
      const reason = e instanceof NestingLimitError ? e.message : `analysis failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      scan.analysed.push(empty(d, reason));
      scan.notes.push(`${d.relPath}: ${reason}`);
    }
  }
}

function empty(d: DiscoveredFile, reason: string): FileAnalysis {
  return { file: d.relPath, absPath: d.absPath, language: d.language, skipped: reason, syntax: [], loops: [], suppressions: [], lines: [] };
}
