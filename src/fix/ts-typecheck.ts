// Whether a fixed TS/JS file type-checks no worse than before (SPEC §3b): its compiler diagnostics,
// counted before and after, in the program `tsc -p` builds from the tsconfig.json that governs the
// file — its options and every file its include/files/types bring. A declaration file only the
// tsconfig includes (`globals.d.ts` typing a callback as returning Promise<number>) decides whether
// an inserted `return;` compiles. Without a tsconfig: strict defaults, the file and its imports.
// The tsconfig is used even with --no-types: that flag is about the scan's socket types, and this
// check is what keeps `fix` from writing code the project's own compiler rejects.
import type { Project, SourceFile } from 'ts-morph';

export interface TypeCheck {
  /** Why the fixed text is refused (more diagnostics than before, or no answer), or null. */
  noWorse(absPath: string, before: string, after: string): Promise<string | null>;
}

/** At most this many projects are kept (as the scan's checkers): a monorepo has a tsconfig per package. */
const LIVE = 2;
const JS = /\.[cm]?jsx?$/i;

/**
 * A project per tsconfig, kept for the run: its files are parsed once (the first check under a
 * ~300-file tsconfig costs about 1–2.5 s and 70 MB more than the file alone; each later one tens
 * of ms). `configFor` names the tsconfig.json that governs a file (null: none).
 */
export function typeCheck(configFor: (absPath: string) => string | null): TypeCheck {
  const projects = new Map<string, Promise<Project>>();
  const allowsJs = new Map<string, Promise<boolean>>();
  const projectFor = (config: string | null): Promise<Project> => {
    const key = config ?? '';
    let p = projects.get(key);
    if (!p) {
      // Files come in path order, so a package's files mostly come together.
      if (projects.size >= LIVE) projects.delete(projects.keys().next().value as string);
      p = makeProject(config);
      projects.set(key, p);
    }
    return p;
  };
  // A JS file a tsconfig without allowJs leaves out of its program (the checker crashes on one
  // added anyway): checked on its own, where only its syntax counts unless it asks (`// @ts-check`).
  const configOf = async (absPath: string): Promise<string | null> => {
    const config = configFor(absPath);
    if (!config || !JS.test(absPath)) return config;
    let allows = allowsJs.get(config);
    if (!allows) {
      allows = import('ts-morph').then((m) => m.getCompilerOptionsFromTsConfig(config).options.allowJs === true);
      allowsJs.set(config, allows);
    }
    return (await allows.catch(() => false)) ? config : null;
  };
  return {
    async noWorse(absPath, before, after) {
      let config = await configOf(absPath);
      let project: Project;
      try {
        project = await projectFor(config);
      } catch {
        // A tsconfig ts-morph cannot load (not JSON, a missing base): the file on its own.
        config = null;
        project = await projectFor(null);
      }
      const sf: SourceFile = project.getSourceFile(absPath) ?? project.createSourceFile(absPath, before, { overwrite: true });
      try {
        if (sf.getFullText() !== before) sf.replaceWithText(before);
        const a = sf.getPreEmitDiagnostics().length;
        sf.replaceWithText(after);
        const b = sf.getPreEmitDiagnostics().length;
        if (b <= a) return null;
        const where = config ? ' under its tsconfig.json' : '';
        return `the fixed file has ${b - a} more compiler diagnostic${b - a === 1 ? '' : 's'} than before${where}`;
      } catch (e) {
        return `the fixed file could not be type-checked (${e instanceof Error ? e.message.split('\n')[0] : String(e)})`;
      } finally {
        // The next file is checked against the tree as it is on disk.
        sf.replaceWithText(before);
      }
    },
  };
}

async function makeProject(config: string | null): Promise<Project> {
  const { Project, ts } = await import('ts-morph');
  if (config) {
    // What `tsc -p` sees: the config's options (extends followed) and every file it includes.
    return new Project({ tsConfigFilePath: config, compilerOptions: { noEmit: true, skipLibCheck: true } });
  }
  return new Project({
    compilerOptions: { noEmit: true, skipLibCheck: true, allowJs: true, checkJs: false, strict: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, esModuleInterop: true, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] },
    skipAddingFilesFromTsConfig: true,
  });
}
