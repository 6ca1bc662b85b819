// Loop-inventory snapshots for TS/JS: fixtures/typescript/loops/<case>.<ext> beside <case>.loops.txt,
// one line per message loop (line | function | language | framework | guard kind | status | receive | confidence | why).
// The expected files are reviewed by hand: a loop found, missed or misclassified changes them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';

const DIR = path.resolve(__dirname, '../fixtures/typescript/loops');

// Both paths: with the repository's tsconfig.json (type-aware) and without (`--no-types`): the
// syntax must place what the checker places, so one expected file holds for both.
describe.each([['type-aware', true], ['syntax-only', false]])('typescript loop inventory (%s)', (_mode, types) => {
  for (const name of readdirSync(DIR).filter((f) => /\.(?:[cm]?[jt]s|[jt]sx)$/.test(f)).sort()) {
    it(name, async () => {
      const result = await run({ cwd: DIR, paths: [name], types });
      const actual = result.report.loops
        .map((l, i) => {
          const loop = result.loops[i];
          const why = loop?.guard.frameworkReason ?? loop?.guard.summary ?? '';
          return [l.line, l.function, l.language, l.framework, l.guard.kind, l.status, l.receive.call, l.confidence, why].join(' | ');
        })
        .join('\n');
      const expectedFile = path.join(DIR, name.replace(/\.[^.]+$/, '.loops.txt'));
      expect(existsSync(expectedFile), `write ${expectedFile} after reviewing:\n${actual}`).toBe(true);
      expect(actual).toBe(readFileSync(expectedFile, 'utf8').trimEnd());
    });
  }
});
