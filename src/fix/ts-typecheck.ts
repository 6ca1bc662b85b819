// Whether a fixed TS/JS file type-checks no worse than before (SPEC §3b): its compiler diagnostics,
// counted before and after, in the program `tsc -p` builds from the tsconfig.json that governs the
// file — its options and every file its include/files/types bring. A declaration file only the
// tsconfig includes (`globals.d.ts` typing a callback as returning Promise<number>) decides whether
// an inserted `return;` compiles. Without a tsconfig: strict defaults, the file and its imports.
// The tsconfig is used even with --no-types: that flag is about the scan's socket types, and this
// check is what keeps `fix` from writing code the project's own compiler rejects.
import type { ts as TsNamespace } from 'ts-morph';
import type { TS } from '../languages/typescript/compiler.js';
import { LivePrograms } from '../languages/typescript/live-programs.js';
import { programHost, standardize, type ProgramHost } from '../languages/typescript/program-host.js';
import type { ConfigResolver } from '../languages/typescript/tsconfig.js';
import { defaultProject, readProjectConfig, type ProjectConfig } from './ts-project.js';

type Diagnostic = TsNamespace.Diagnostic;

/**
 * `; first: TS2576 Property 'OPEN' does not exist… (line 4)`: the first diagnostic of the fixed
 * text that the original does not have (compared by code and text: the edits move positions).
 */
function firstNew(ts: TS, before: readonly Diagnostic[], after: readonly Diagnostic[]): string {
  const text = (d: Diagnostic): string => `TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  const old = before.map(text);
  for (const d of after) {
    const i = old.indexOf(text(d));
    if (i >= 0) {
      old.splice(i, 1);
      continue;
    }
    const t = text(d);
    const line = d.file && d.start !== undefined ? ` (line ${d.file.getLineAndCharacterOfPosition(d.start).line + 1})` : '';
    return `; first: ${t.length > 120 ? `${t.slice(0, 119)}…` : t}${line}`;
  }
  return '';
}

export interface TypeCheck {
  /** Why the fixed text is refused (more diagnostics than before, or no answer), or null. */
  noWorse(absPath: string, before: string, after: string): Promise<string | null>;
}

const JS = /\.[cm]?jsx?$/i;

/** A tsconfig's program, kept for the run: its files stay parsed (the host's), each check's program built from the last. */
interface Checked {
  key: string;
  config: ProjectConfig;
  host: ProgramHost;
  last: TsNamespace.Program | undefined;
}

/**
 * A program per tsconfig, through the scan's compiler host (program-host.ts: the lib files parsed
 * once per process, shared with the scan's checkers). The first check under a ~300-file tsconfig
 * parses its files (about 1–2.5 s and 70 MB more than the file alone); each later one tens of ms.
 * `configFor` names the tsconfig.json that governs a file (null: none).
 */
export function typeCheck(configFor: ConfigResolver): TypeCheck {
  /** Each tsconfig read once (null key: none); a config that cannot be read is an Error. */
  const configs = new Map<string | null, ProjectConfig | Error>();
  const checked = new Map<string, Checked>();
  const live = new LivePrograms<Checked>((c) => checked.delete(c.key));
  const configOf = (ts: TS, config: string | null): ProjectConfig | Error => {
    let c = configs.get(config);
    if (c === undefined) {
      try {
        c = config === null ? defaultProject(ts) : readProjectConfig(ts, config);
      } catch (e) {
        c = e instanceof Error ? e : new Error(String(e));
      }
      configs.set(config, c);
    }
    return c;
  };
  const checkedFor = (ts: TS, config: string | null, project: ProjectConfig): Checked => {
    const key = config ?? '';
    let c = checked.get(key);
    if (!c) {
      live.makeRoom();
      const host = programHost(ts, { options: project.options, roots: new Map(), followAll: true }, () => {});
      c = { key, config: project, host, last: undefined };
      checked.set(key, c);
    }
    live.use(c);
    return c;
  };
  return {
    async noWorse(absPath, before, after) {
      const { loadTypeScript } = await import('../languages/typescript/compiler.js');
      const ts = await loadTypeScript();
      let config = configFor(absPath);
      let project = configOf(ts, config);
      // A JS file a tsconfig without allowJs leaves out of its program is checked on its own, where
      // only its syntax counts unless it asks (`// @ts-check`); so is any file under a tsconfig
      // that cannot be read (not JSON).
      if (project instanceof Error || (JS.test(absPath) && project.options.allowJs !== true)) {
        config = null;
        project = configOf(ts, null) as ProjectConfig;
      }
      const c = checkedFor(ts, config, project);
      const file = standardize(absPath);
      const rootNames = project.rootNames.includes(file) ? project.rootNames : [...project.rootNames, file];
      const diagnosticsOf = (text: string): readonly Diagnostic[] => {
        c.host.setText(file, text);
        c.last = ts.createProgram({ rootNames, options: project.options, host: c.host, oldProgram: c.last, configFileParsingDiagnostics: project.diagnostics });
        const sf = c.last.getSourceFile(file);
        // Without the file, the count would be the whole program's.
        if (sf === undefined) throw new Error(`${file} is not in its program`);
        return ts.getPreEmitDiagnostics(c.last, sf);
      };
      try {
        const a = diagnosticsOf(before);
        const b = diagnosticsOf(after);
        if (b.length <= a.length) return null;
        const where = config ? ' under its tsconfig.json' : '';
        const n = b.length - a.length;
        return `the fixed file has ${n} more compiler diagnostic${n === 1 ? '' : 's'} than before${where}${firstNew(ts, a, b)}`;
      } catch (e) {
        return `the fixed file could not be type-checked (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
      } finally {
        // The next file is checked against the tree as it is on disk.
        c.host.setText(file, before);
      }
    },
  };
}
