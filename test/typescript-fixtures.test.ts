// Every fixture under fixtures/typescript/<RULE>/ is a case (a .ts/.js file, or a directory scanned
// whole), with the same `// expect:` / `// ok:` marks as the Python fixtures (fixtures/README.md).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { readMarks } from './helpers/fixture-marks.js';

const ROOT = path.resolve(__dirname, '../fixtures/typescript');
const SCRIPT = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function scriptFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => SCRIPT.test(f))
    .map((f) => f.split(path.sep).join('/'));
}

function cases(): { name: string; source: string }[] {
  const out: { name: string; source: string }[] = [];
  for (const group of readdirSync(ROOT).sort()) {
    const dir = path.join(ROOT, group);
    // loops/ holds inventory snapshots (test/typescript-loops.test.ts); config/ is scanned with
    // and without its configuration (test/typescript-config.test.ts).
    if (!statSync(dir).isDirectory() || group === 'loops' || group === 'fix' || group === 'config') continue;
    for (const entry of readdirSync(dir).sort()) {
      const p = path.join(dir, entry);
      if (SCRIPT.test(entry) && !/\.fixed\./.test(entry)) out.push({ name: `${group}/${entry}`, source: p });
      else if (statSync(p).isDirectory()) out.push({ name: `${group}/${entry}/`, source: p });
    }
  }
  return out;
}

// Each fixture on both paths: syntax only, and type-aware (a tsconfig.json beside it, found
// without --project, with the repository's node_modules so that `ws` has its types).
const TSCONFIG = { compilerOptions: { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', allowJs: true, types: ['node'] } };

describe.each([['syntax-only'], ['type-aware']])('typescript fixtures (%s)', (mode) => {
  for (const c of cases()) {
    it(c.name, async () => {
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-ts-fixture-'));
      temps.push(tmp);
      if (statSync(c.source).isDirectory()) cpSync(c.source, tmp, { recursive: true });
      else cpSync(c.source, path.join(tmp, path.basename(c.source)));
      const expected = new Set<string>();
      const ok = new Set<string>();
      const rules = new Set<string>();
      let config: Record<string, unknown> | null = null;
      for (const f of scriptFiles(tmp)) {
        const marks = readMarks(readFileSync(path.join(tmp, f), 'utf8'));
        marks.expected.forEach((m) => expected.add(`${f}:${m}`));
        marks.ok.forEach((m) => ok.add(`${f}:${m}`));
        marks.rules.forEach((r) => rules.add(r));
        config ??= marks.config;
      }
      expect(rules.size, 'a fixture must carry at least one mark').toBeGreaterThan(0);
      if (config) writeFileSync(path.join(tmp, 'handshake-guard.config.json'), JSON.stringify(config));
      if (mode === 'type-aware') {
        writeFileSync(path.join(tmp, 'tsconfig.json'), JSON.stringify(TSCONFIG));
        symlinkSync(path.resolve(__dirname, '../node_modules'), path.join(tmp, 'node_modules'), 'dir');
      }
      const result = await run({ cwd: tmp, paths: ['.'] });
      expect(result.notes.filter((n) => n.includes('tsconfig')), 'the tsconfig.json is used').toEqual([]);
      const actual = new Set(result.findings.filter((f) => !f.suppressed && rules.has(f.ruleId)).map((f) => `${f.file}:${f.ruleId}:${f.line}`));
      const missing = [...expected].filter((e) => !actual.has(e));
      const unexpected = [...actual].filter((a) => !expected.has(a));
      const messages = result.findings.filter((f) => rules.has(f.ruleId)).map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.message}`);
      const inventory = result.loops.map((l) => `${l.file}:${l.span.start.line} ${l.guard.kind} ${l.receive.call} ${l.guard.frameworkReason ?? l.guard.summary}`);
      expect({ missing, unexpected }, [...messages, ...inventory].join('\n')).toEqual({ missing: [], unexpected: [] });
      for (const o of ok) expect(expected.has(o), `${o} is both ok and expect`).toBe(false);
    });
  }
});

describe('typescript-only rules', () => {
  it.each([['HG012'], ['HG013']])('%s has at least three expect and three ok cases', (id) => {
    let expects = 0;
    let oks = 0;
    for (const f of scriptFiles(path.join(ROOT, id))) {
      const marks = readMarks(readFileSync(path.join(ROOT, id, f), 'utf8'));
      expects += [...marks.expected].filter((m) => m.startsWith(`${id}:`)).length;
      oks += [...marks.ok].filter((m) => m.startsWith(`${id}:`)).length;
    }
    expect(expects).toBeGreaterThanOrEqual(3);
    expect(oks).toBeGreaterThanOrEqual(3);
  });
});
