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
  /** `--project`: the tsconfig.json whose type checker resolves socket types (opt-in, slower). */
  tsconfig?: string;
}

export async function analyseScripts(discovered: readonly DiscoveredFile[], scan: ScriptScan, sources: Map<string, string | null>): Promise<void> {
  const scripts = discovered.filter((d) => d.language === 'typescript' || d.language === 'javascript');
  if (scripts.length === 0) return;
  const { loadTypeScript } = await import('../languages/typescript/compiler.js');
  const { TsProject } = await import('../languages/typescript/module.js');
  const { analyzeTypeScript } = await import('../languages/typescript/analyze.js');
  const project = new TsProject(await loadTypeScript(), scan.reader, { receiveMethods: scan.receiveMethods, connectionNames: scan.connectionNames });
  if (scan.tsconfig) project.types = await (await import('../languages/typescript/types.js')).typeOracle(scan.tsconfig);
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
    try {
      scan.analysed.push(analyzeTypeScript(d.relPath, d.absPath, r.text, { project, guardHelpers: scan.guardHelpers }));
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
