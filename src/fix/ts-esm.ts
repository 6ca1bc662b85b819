// Where a guard at module top level may `await`: only in an ES module (Node: `.mjs`/`.mts`, or
// import/export syntax under a package.json with `"type": "module"`). Elsewhere top-level `await`
// is a syntax error (CommonJS) or makes TypeScript refuse the file (a script), so the loop is
// skipped with the reason.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { readSource } from '../engine/read.js';
import type { TS, TsSourceFile } from '../languages/typescript/compiler.js';

function hasModuleSyntax(ts: TS, sf: TsSourceFile): boolean {
  return sf.statements.some(
    (s) =>
      ts.isImportDeclaration(s) ||
      ts.isExportDeclaration(s) ||
      ts.isExportAssignment(s) ||
      (ts.canHaveModifiers(s) && (ts.getModifiers(s) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)),
  );
}

/** The `type` of the nearest package.json above the file, with its path; null when there is none. */
function nearestPackageType(absPath: string): { file: string; type: string | null } | null {
  for (let dir = path.dirname(absPath); ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      // Read as the scanner reads sources: a regular file, without blocking, size-capped.
      const read = readSource(file);
      try {
        const json: unknown = read.ok ? JSON.parse(read.text) : null;
        const type = json && typeof json === 'object' && 'type' in json && typeof json.type === 'string' ? json.type : null;
        return { file, type };
      } catch {
        return { file, type: null };
      }
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/** null when top-level `await` is valid in the file; otherwise why not. */
export function topLevelAwaitRefusal(ts: TS, sf: TsSourceFile, absPath: string): string | null {
  const ext = path.extname(absPath).toLowerCase();
  if (ext === '.mjs' || ext === '.mts') return null;
  if (ext === '.cjs' || ext === '.cts') return 'top-level loop in a CommonJS file: the guard would need a top-level await, which CommonJS does not allow';
  if (!hasModuleSyntax(ts, sf)) return 'top-level loop in a file without import/export: the guard would need a top-level await, which only an ES module allows';
  const pkg = nearestPackageType(absPath);
  if (pkg?.type !== 'module') {
    const where = pkg ? `${path.basename(path.dirname(pkg.file))}/package.json does not set "type": "module"` : 'no package.json sets "type": "module"';
    return `top-level loop: ${where}, so the file is CommonJS to Node and a top-level await is not allowed`;
  }
  return null;
}
