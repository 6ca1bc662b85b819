// The breaking row on TS/JS public APIs in real git repositories (SPEC §5): static and instance
// members apart, re-exports as exported names, overloads, renamed modules, and a detail that
// stays one readable line however many names a change removes.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import type { CheckResult } from '../src/model.js';
import { git, gitRepo, removeAll, write } from './helpers/git.js';

const repos: string[] = [];
afterAll(() => removeAll(repos));

async function rows(dir: string, extra: { staged?: boolean } = {}): Promise<CheckResult[]> {
  return (await run({ cwd: dir, paths: ['.'], ...(extra.staged ? { staged: true } : {}) })).report.checks;
}

async function breaking(dir: string, extra: { staged?: boolean } = {}): Promise<CheckResult> {
  const row = (await rows(dir, extra)).find((c) => c.id === 'breaking');
  if (!row) throw new Error('no breaking row');
  return row;
}

const IBAN = `export class Iban {
  constructor(private readonly iban: string) {}

  public static isValid(iban: string): boolean {
    return iban.length > 4;
  }

  public isValid(): boolean {
    return Iban.isValid(this.iban);
  }
}
`;

const OVERLOADS = `export function parse(input: string): number;
export function parse(input: string, radix: number): number;
export function parse(input: string, radix?: number): number {
  return parseInt(input, radix ?? 10);
}

export class Conn {
  send(data: string): void;
  send(data: Uint8Array, binary: boolean): void;
  send(data: unknown, binary?: boolean): void {}
}
`;

describe('breaking row: TS/JS exported declarations', () => {
  it('keys a static member apart from the instance member of the same name (web3.js Iban.isValid)', async () => {
    const dir = gitRepo({ 'iban.ts': IBAN }, repos);
    write(dir, 'iban.ts', `${IBAN}// a comment\n`);
    expect(await breaking(dir)).toMatchObject({ status: 'pass', details: 'against HEAD: exported declarations of 1 changed TS/JS file compared (4 declarations)' });
    // Either member can still break on its own.
    write(dir, 'iban.ts', IBAN.replace('public isValid(): boolean', 'public isValid(strict: boolean): boolean'));
    const instance = await breaking(dir);
    expect(instance.status).toBe('fail');
    expect(instance.details).toContain('iban.ts:8 Iban.isValid: parameter strict is now required');
    write(dir, 'iban.ts', IBAN.replace(/ {2}public static isValid[^}]*}\n/, ''));
    expect((await breaking(dir)).details).toContain('iban.ts:4 exported static method Iban.isValid removed');
  });

  it('counts re-exports as exported names: moving a function behind `export { f } from` breaks nothing; removing a re-export does', async () => {
    const api = 'export function helper(a: string, b?: number): string {\n  return a + (b ?? 0);\n}\nexport * as util from "./util.js";\nexport * from "./more.js";\nexport { type Shape } from "./shape.js";\n';
    const dir = gitRepo({ 'api.ts': api, 'util.ts': 'export const u = 1;\n', 'more.ts': 'export const m = 1;\n', 'shape.ts': 'export interface Shape { x: number }\n' }, repos);
    write(dir, 'helpers.ts', 'export function helper(a: string, b?: number): string {\n  return a + (b ?? 0);\n}\n');
    // The function now lives in helpers.ts; the re-exported type became a local interface.
    write(dir, 'api.ts', 'export { helper } from "./helpers.js";\nexport * as util from "./util.js";\nexport * from "./more.js";\nexport interface Shape { x: number }\n');
    git(dir, 'add', '-A');
    expect(await breaking(dir, { staged: true })).toMatchObject({ status: 'pass' });
    // Each kind of re-export, removed, is a removal.
    write(dir, 'api.ts', 'export function other() {}\n');
    const gone = await breaking(dir);
    expect(gone.status).toBe('fail');
    expect(gone.details).toContain("api.ts:4 re-export util removed");
    expect(gone.details).toContain("api.ts:5 export * from './more.js' removed");
    expect(gone.details).toContain('api.ts:6 re-export Shape removed');
    expect(gone.details).toContain('api.ts:1 exported function helper removed');
  });

  it('`export * from` a relative module: its names are read at the base and now, so a function moved behind it passes and one gone from it fails', async () => {
    const dir = gitRepo({ 'api.ts': 'export function helper(a: string): string {\n  return a;\n}\n' }, repos);
    write(dir, 'helpers.ts', 'export function helper(a: string): string {\n  return a;\n}\nexport default 1;\n');
    write(dir, 'api.ts', 'export * from "./helpers.js";\n');
    expect(await breaking(dir)).toMatchObject({ status: 'pass', details: 'against HEAD: exported declarations of 1 changed TS/JS file compared (1 declaration)' });
    // Not there: the name is removed (`default` is never brought by `export *`).
    write(dir, 'helpers.ts', 'export default function helper(a: string): string {\n  return a;\n}\n');
    expect(await breaking(dir)).toMatchObject({ status: 'fail', details: '1 breaking change against HEAD: api.ts:1 exported function helper removed; exported declarations of 1 changed TS/JS file compared (1 declaration)' });
  });

  it('`export * from` chains are followed at both sides (a cycle once); a name a module no longer brings is a break at the barrel', async () => {
    const dir = gitRepo({
      'index.ts': 'export * from "./a";\n',
      'a.ts': 'export * from "./b.js";\nexport * from "./index.js";\n',
      'b.ts': 'export function deep(x: number): number {\n  return x;\n}\nexport function other(): void {}\n',
    }, repos);
    // The barrel changed (a comment) and its names are the same: nothing broke.
    write(dir, 'index.ts', '// the package\nexport * from "./a";\n');
    expect(await breaking(dir)).toMatchObject({ status: 'pass', details: 'against HEAD: exported declarations of 1 changed TS/JS file compared (3 declarations)' });
    write(dir, 'b.ts', 'export function other(): void {}\n');
    const row = await breaking(dir);
    expect(row.status).toBe('fail');
    expect(row.details).toContain("index.ts:1 re-export deep removed (export * from './a' no longer brings it)");
    expect(row.details).toContain('b.ts:1 exported function deep removed');
    // The statement itself gone: said once, with the names it took along.
    write(dir, 'index.ts', 'export function other(): void {}\n');
    write(dir, 'b.ts', 'export function deep(x: number): number {\n  return x;\n}\nexport function other(): void {}\n');
    expect(await breaking(dir)).toMatchObject({ status: 'fail', details: "1 breaking change against HEAD: index.ts:1 export * from './a' removed (deep no longer exported); exported declarations of 1 changed TS/JS file compared (3 declarations)" });
  });

  it('under --staged the modules `export * from` names are read from the index', async () => {
    const dir = gitRepo({ 'api.ts': 'export * from "./impl.js";\n', 'impl.ts': 'export function run(): void {}\n' }, repos);
    write(dir, 'api.ts', '// entry\nexport * from "./impl.js";\n');
    git(dir, 'add', 'api.ts');
    // Staged: impl.ts as committed (run is there); the working tree lost it, but that is not what is committed.
    write(dir, 'impl.ts', 'export function walk(): void {}\n');
    expect(await breaking(dir, { staged: true })).toMatchObject({ status: 'pass' });
    git(dir, 'add', 'impl.ts');
    expect((await breaking(dir, { staged: true })).details).toContain("api.ts:1 re-export run removed (export * from './impl.js' no longer brings it)");
  });

  it('a name that may come from `export * from` a module not read here (a package, a missing file) is not decidable: named, warned, not failed', async () => {
    const dir = gitRepo({ 'api.ts': 'export function helper(a: string): string {\n  return a;\n}\n' }, repos);
    write(dir, 'api.ts', 'export * from "helpers-pkg";\nexport * from "./missing.js";\n');
    expect(await breaking(dir)).toMatchObject({
      status: 'warn',
      details: "against HEAD: not decidable here: api.ts:1 helper: no longer declared here; maybe re-exported by export * from 'helpers-pkg', export * from './missing.js'; exported declarations of 1 changed TS/JS file compared (1 declaration)",
    });
  });

  it('an overload removed is a signature change; a class no longer exported is one removal, not one per overload', async () => {
    const dir = gitRepo({ 'api.ts': OVERLOADS }, repos);
    write(dir, 'api.ts', OVERLOADS.replace('  send(data: Uint8Array, binary: boolean): void;\n', ''));
    expect(await breaking(dir)).toMatchObject({
      status: 'fail',
      details: '1 breaking change against HEAD: api.ts:8 Conn.send: no signature accepts send(data: Uint8Array, binary: boolean) any more (overload removed or changed); exported declarations of 1 changed TS/JS file compared (3 declarations)',
    });
    write(dir, 'api.ts', OVERLOADS.replace('export function parse(input: string, radix: number): number;\n', ''));
    expect((await breaking(dir)).details).toContain('api.ts:1 parse: no signature accepts parse(input: string, radix: number) any more');
    // One signature that takes what every overload took breaks nothing.
    write(dir, 'api.ts', OVERLOADS.replace(/ {2}send\(data: string\): void;\n {2}send\(data: Uint8Array, binary: boolean\): void;\n {2}send\(data: unknown/, '  send(data: string | Uint8Array'));
    expect((await breaking(dir)).status).toBe('pass');
    // The class moved to another module and is re-exported: its methods are declared there.
    write(dir, 'conn.ts', OVERLOADS.slice(OVERLOADS.indexOf('export class Conn')));
    write(dir, 'api.ts', `${OVERLOADS.slice(0, OVERLOADS.indexOf('export class Conn'))}export { Conn } from './conn.js';\n`);
    expect(await breaking(dir)).toMatchObject({ status: 'pass' });
    rmSync(path.join(dir, 'conn.ts'));
    write(dir, 'api.ts', OVERLOADS.replace('export class Conn', 'class Conn'));
    expect((await breaking(dir)).details).toBe('1 breaking change against HEAD: api.ts:7 exported class Conn removed; exported declarations of 1 changed TS/JS file compared (3 declarations)');
  });

  it('a declared type that no longer takes what it took is a break, named with file:line and both signatures; widening one is not', async () => {
    const before = 'export function parse(input: string, radix?: number): number {\n  return parseInt(input, radix);\n}\n';
    const dir = gitRepo({ 'api.ts': before }, repos);
    write(dir, 'api.ts', before.replace('input: string', 'input: Buffer'));
    expect(await breaking(dir)).toMatchObject({
      status: 'fail',
      details: '1 breaking change against HEAD: api.ts:1 parse: signature changed (parameter input: string → Buffer): parse(input: string, radix?: number): number → parse(input: Buffer, radix?: number): number; exported declarations of 1 changed TS/JS file compared (1 declaration)',
    });
    write(dir, 'api.ts', before.replace('input: string', 'input: string | Buffer').replace('radix?: number', 'radix?: number, strict?: boolean'));
    expect(await breaking(dir)).toMatchObject({ status: 'pass' });
  });

  it('a renamed module breaks its importers once, and its API is compared at the new path', async () => {
    const dir = gitRepo({ 'src/a.ts': OVERLOADS, 'src/legacy.js': 'export function open(url) {}\n', 'pkg/mod.py': 'def run(a):\n    pass\n' }, repos);
    git(dir, 'mv', 'src/a.ts', 'src/b.ts');
    expect(await breaking(dir, { staged: true })).toMatchObject({
      status: 'fail',
      details: '1 breaking change against HEAD: src/a.ts renamed to src/b.ts (imports of the old path break); 1 renamed file compared with its new path',
    });
    // Nearly the same content, moved without git (a full scan pairs it too), and an overload dropped on the way.
    git(dir, 'reset', '-q', '--hard');
    renameSync(path.join(dir, 'src/a.ts'), path.join(dir, 'src/c.ts'));
    writeFileSync(path.join(dir, 'src/c.ts'), `${OVERLOADS.replace('export function parse(input: string): number;\n', '')}// moved\n`);
    expect(await breaking(dir)).toMatchObject({
      status: 'fail',
      details: '2 breaking changes against HEAD: src/a.ts renamed to src/c.ts (imports of the old path break); src/c.ts:1 parse: no signature accepts parse(input: string) any more (overload removed or changed); 1 renamed file compared with its new path',
    });
    // The import path stays: a JS file turned TS beside itself, a module moved into its package's __init__.py.
    git(dir, 'reset', '-q', '--hard');
    rmSync(path.join(dir, 'src/c.ts'));
    renameSync(path.join(dir, 'src/legacy.js'), path.join(dir, 'src/legacy.ts'));
    write(dir, 'pkg/mod/__init__.py', 'def run(a):\n    pass\n');
    rmSync(path.join(dir, 'pkg/mod.py'));
    expect(await breaking(dir)).toMatchObject({ status: 'pass', details: 'against HEAD: 2 renamed files compared with their new path' });
  });

  it('caps the detail: the first breaks, then how many more', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`mod${i}.py`, `def f${i}(a):\n    pass\n\n\ndef g${i}(b):\n    pass\n`]));
    const dir = gitRepo(files, repos);
    git(dir, 'rm', '-q', ...Object.keys(files));
    const checks = await rows(dir, { staged: true });
    const row = checks.find((c) => c.id === 'breaking');
    expect(row?.status).toBe('fail');
    expect(row?.details).toMatch(/^80 breaking changes against HEAD: mod0\.py:1 removed f0 \(file deleted\); .*; and 74 more; 40 deleted files compared$/);
    expect(row?.details.length).toBeLessThan(500);
    // Nothing staged is left to scan: the syntax row says so without naming a language.
    expect(checks.find((c) => c.id === 'syntax')).toMatchObject({ status: 'skip', details: 'no files scanned' });
  });
});
