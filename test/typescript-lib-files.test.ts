// The compiler's lib files are the tool's: served from memory (never read from the disk), parsed
// and bound once per target for every program (lib-files.ts, issue #8);
// a root's text is the scan's, not read again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTypeScript } from '../src/languages/typescript/compiler.js';
import { LIB_FOLDER, libTexts, sharedLibFile } from '../src/languages/typescript/lib-files.js';
import { programHost } from '../src/languages/typescript/program-host.js';
import type { FsQuestion } from '../src/languages/typescript/recording-fs.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'hg-lib-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the lib files', () => {
  it('one SourceFile per target, shared by programs whatever their other settings; another target parses its own', async () => {
    const ts = await loadTypeScript();
    const dom = `${LIB_FOLDER}/lib.dom.d.ts`;
    const text = libTexts().get(dom) ?? '';
    expect(text.length).toBeGreaterThan(0);
    const a = sharedLibFile(ts, dom, text, { strict: true, target: ts.ScriptTarget.ES2022 });
    expect(sharedLibFile(ts, dom, text, { strict: true, target: ts.ScriptTarget.ES2022, configFilePath: '/x/tsconfig.json' })).toBe(a);
    // The other source-file-affecting settings change no declaration file (lib-files.ts): vite's
    // programs differ in these, partykit's in module and strict.
    const others = { strict: false, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, moduleDetection: ts.ModuleDetectionKind.Force, jsx: ts.JsxEmit.ReactJSX, jsxImportSource: 'preact', importHelpers: true, allowUnreachableCode: false, allowUnusedLabels: false, noFallthroughCasesInSwitch: true, baseUrl: '/x', paths: { '@/*': ['src/*'] } };
    expect(sharedLibFile(ts, dom, text, { ...others, target: ts.ScriptTarget.ES2022 })).toBe(a);
    expect(sharedLibFile(ts, dom, text, { strict: true, target: ts.ScriptTarget.ES2020 })).not.toBe(a);
  }, 60_000);

  it('two programs use the same lib SourceFiles; their texts are never read from the disk', async () => {
    const ts = await loadTypeScript();
    const file = path.join(dir, 'a.ts');
    const text = 'export const w: WebSocket | null = null;\n';
    writeFileSync(file, text);
    const options = { strict: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] };
    const questions: FsQuestion[] = [];
    const programs = [0, 1].map(() => ts.createProgram([file], options, programHost(ts, { options, roots: new Map([[file, text]]) }, (q) => questions.push(q))));
    const [first, second] = programs.map((p) => p.getSourceFile(`${LIB_FOLDER}/lib.dom.d.ts`));
    expect(first).toBeDefined();
    expect(second).toBe(first);
    for (const p of programs) expect(ts.getPreEmitDiagnostics(p).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
    // Their texts are never asked for; the package.json scope lookups above them are real questions.
    expect(questions.filter((q) => q.path.startsWith(LIB_FOLDER) && q.path.endsWith('.d.ts'))).toEqual([]);
    expect(questions.some((q) => q.kind === 'read' && q.path === file)).toBe(false);
  }, 120_000);
});
