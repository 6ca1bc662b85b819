// fix's type check uses the tsconfig.json the scan's type checker uses (tsconfig.ts
// configResolver): for a scanned path in another repository than the working directory's, the
// nearest one up to that repository's root. fix once looked only up to the working directory's
// root, which is no ancestor of that path: it saw no tsconfig and checked the file under strict
// defaults, where the guard compiles, and wrote code the project's own compiler rejects.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFix } from '../src/fix/fix.js';

const GLOBALS = path.resolve(__dirname, '../fixtures/typescript/fix/project_globals');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

describe('fix: the tsconfig.json of a scanned path in another repository', () => {
  it("is its repository's, found above the file's directory, as the scan's (not looked for up to the working directory's root)", async () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-fix-tsconfig-'));
    temps.push(tmp);
    const here = path.join(tmp, 'here');
    const other = path.join(tmp, 'other');
    mkdirSync(here);
    mkdirSync(path.join(other, 'src'), { recursive: true });
    for (const dir of [here, other]) execFileSync('git', ['init', '-q', dir]);
    // Its tsconfig (lib es2022, types []) and runtime.d.ts: no performance or setTimeout, so the guard does not compile.
    cpSync(path.join(GLOBALS, 'tsconfig.json'), path.join(other, 'tsconfig.json'));
    cpSync(path.join(GLOBALS, 'runtime.d.ts'), path.join(other, 'runtime.d.ts'));
    cpSync(path.join(GLOBALS, 'app.ts'), path.join(other, 'src', 'app.ts'));
    const refusal = "3 pump: the fixed file has 3 more compiler diagnostics than before under its tsconfig.json; first: TS2304 Cannot find name 'performance'. (line 4)";
    const outcomes = async (cwd: string, scanned: string): Promise<string[]> => {
      const result = await runFix({ cwd, paths: [scanned], write: false, upgrade: false, placement: 'per-message' });
      return result.files.flatMap((f) => f.outcomes.map((o) => `${o.loop.span.start.line} ${o.loop.function}: ${o.skipped ?? o.action}`));
    };
    // Run from inside the other repository, and from beside it: the same tsconfig, the same refusal.
    expect(await outcomes(other, '.')).toEqual([refusal]);
    expect(await outcomes(here, '../other')).toEqual([refusal]);
    expect(await outcomes(here, path.join(other, 'src'))).toEqual([refusal]);
  }, 120_000);
});
