// Legacy octal forms in JavaScript (SPEC §5 syntax row): the compiler reports them in every file,
// but a script runs them; they are syntax errors only in strict code and in templates. Node's own
// parser (`node --check`) is the oracle: HG011 for exactly the files it rejects.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { tempTree } from './helpers/cli.js';

// Each a whole CommonJS script (`.js` outside a "type": "module" package, or `.cjs`).
const SCRIPTS: Record<string, string> = {
  'octal-literal.js': "const fs = require('fs');\nfs.mkdirSync('/tmp/x', 0777);\n",
  'octal-escape.cjs': 'var s = "\\012";\n',
  'leading-zero.js': 'var d = 08;\n',
  'eight-escape.js': 'var e = "\\8";\n',
  'in-sloppy-function.js': 'function g() { return [0777, "\\012"]; }\nvar h = () => 010;\n',
  'template-octal.js': 'var t = `\\01`;\n',
  'tagged-template.js': 'var t = String.raw`\\01`;\n',
  'class-body.js': 'class A { m() { return 0777; } }\n',
  // (Not a field initializer: V8 accepts `class { n = 010 }`, which the language forbids.)
  'class-expression.js': 'var B = class { m() { return 010; } };\n',
  'strict-function.js': "function f() { 'use strict'; return 0777; }\n",
  'strict-arrow.js': "var f = () => { 'use strict'; return '\\012'; };\n",
  'strict-outer.js': "function f() { 'use strict'; function g() { return 08; } return g; }\n",
  'strict-script.js': "'use strict';\nvar o = 0777;\n",
  'strict-after-directive.js': "'a';\n'use strict';\nvar o = 0777;\n",
  'not-a-directive.js': "var x = 1;\n'use strict';\nvar o = 0777;\n",
  'escaped-directive.js': "'use\\x20strict';\nvar o = 0777;\n",
};

function nodeAccepts(file: string): boolean {
  return spawnSync(process.execPath, ['--check', file], { encoding: 'utf8' }).status === 0;
}

describe('legacy octal forms in JavaScript: HG011 exactly where node --check fails', () => {
  it('scripts: sloppy code runs them, strict code and templates do not', async () => {
    const dir = tempTree(SCRIPTS);
    const { report } = await run({ cwd: dir, paths: ['.'] });
    const flagged = new Set(report.findings.filter((f) => f.ruleId === 'HG011').map((f) => f.file));
    const verdicts = Object.keys(SCRIPTS).map((name) => [name, flagged.has(name)] as const);
    const oracle = Object.keys(SCRIPTS).map((name) => [name, !nodeAccepts(path.join(dir, name))] as const);
    expect(verdicts).toEqual(oracle);
    // The oracle really tells both kinds apart here.
    expect(oracle.filter(([, bad]) => bad).length).toBeGreaterThan(4);
    expect(oracle.filter(([, bad]) => !bad).length).toBeGreaterThan(4);
  });

  it('modules and TypeScript: always an error', async () => {
    const dir = tempTree({ 'm.mjs': 'var o = 0777;\n', 'esm.js': 'export const o = 0777;\n', 'meta.js': 'var u = import.meta.url, o = 0777;\n', 't.ts': 'const o = 0777;\n', 'x.jsx': 'var o = 0777;\n' });
    const { report } = await run({ cwd: dir, paths: ['.'] });
    const flagged = report.findings.filter((f) => f.ruleId === 'HG011').map((f) => f.file).sort();
    expect(flagged).toEqual(['esm.js', 'm.mjs', 'meta.js', 't.ts']);
    expect(nodeAccepts(path.join(dir, 'm.mjs'))).toBe(false);
  });
});
