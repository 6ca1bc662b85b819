// Every fixture under fixtures/python/<RULE>/ is a case: a file, or a directory scanned whole.
// Its marks state exactly which findings of the rules it mentions must (and must not) appear.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { readMarks } from './helpers/fixture-marks.js';

const ROOT = path.resolve(__dirname, '../fixtures/python');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function pyFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.py'))
    .map((f) => f.split(path.sep).join('/'));
}

function cases(): { name: string; source: string }[] {
  const out: { name: string; source: string }[] = [];
  for (const group of readdirSync(ROOT).sort()) {
    const dir = path.join(ROOT, group);
    // loops/ holds inventory snapshots (test/loops.test.ts), fix/ codemod snapshots (test/fix.test.ts).
    if (!statSync(dir).isDirectory() || group === 'loops' || group === 'fix') continue;
    for (const entry of readdirSync(dir).sort()) {
      const p = path.join(dir, entry);
      if (entry.endsWith('.py') && !entry.endsWith('.fixed.py')) out.push({ name: `${group}/${entry}`, source: p });
      else if (statSync(p).isDirectory()) out.push({ name: `${group}/${entry}/`, source: p });
    }
  }
  return out;
}

describe('python fixtures', () => {
  for (const c of cases()) {
    it(c.name, async () => {
      const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-fixture-'));
      temps.push(tmp);
      const isDir = statSync(c.source).isDirectory();
      if (isDir) cpSync(c.source, tmp, { recursive: true });
      else cpSync(c.source, path.join(tmp, path.basename(c.source)));
      const files = pyFiles(tmp);
      const expected = new Set<string>();
      const ok = new Set<string>();
      const rules = new Set<string>();
      let config: Record<string, unknown> | null = null;
      for (const f of files) {
        const marks = readMarks(readFileSync(path.join(tmp, f), 'utf8'));
        marks.expected.forEach((m) => expected.add(`${f}:${m}`));
        marks.ok.forEach((m) => ok.add(`${f}:${m}`));
        marks.rules.forEach((r) => rules.add(r));
        config ??= marks.config;
      }
      expect(rules.size, 'a fixture must carry at least one mark').toBeGreaterThan(0);
      if (config) writeFileSync(path.join(tmp, 'handshake-guard.config.json'), JSON.stringify(config));
      const result = await run({ cwd: tmp, paths: ['.'] });
      const actual = new Set(
        result.findings
          .filter((f) => !f.suppressed && rules.has(f.ruleId))
          .map((f) => `${f.file}:${f.ruleId}:${f.line}`),
      );
      const missing = [...expected].filter((e) => !actual.has(e));
      const unexpected = [...actual].filter((a) => !expected.has(a));
      const messages = result.findings.filter((f) => rules.has(f.ruleId)).map((f) => `${f.file}:${f.line} ${f.ruleId} ${f.message}`);
      expect({ missing, unexpected }, messages.join('\n')).toEqual({ missing: [], unexpected: [] });
      // `ok` marks are covered by the exact comparison; check they are not contradicted by `expect`.
      for (const o of ok) expect(expected.has(o), `${o} is both ok and expect`).toBe(false);
    });
  }
});
