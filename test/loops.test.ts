// Loop-inventory snapshots: fixtures/python/loops/<case>.py beside <case>.loops.txt, one line per
// message loop (line | function | framework | guard kind | status | receive | confidence).
// The expected files are reviewed by hand: a loop found, missed or misclassified changes them.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';

const DIR = path.resolve(__dirname, '../fixtures/python/loops');

describe('loop inventory', () => {
  for (const name of readdirSync(DIR).filter((f) => f.endsWith('.py')).sort()) {
    it(name, async () => {
      const result = await run({ cwd: DIR, paths: [name] });
      const actual = result.report.loops
        .map((l) => [l.line, l.function, l.framework, l.guard.kind, l.status, l.receive.call, l.confidence].join(' | '))
        .join('\n');
      const expectedFile = path.join(DIR, name.replace(/\.py$/, '.loops.txt'));
      expect(existsSync(expectedFile), `write ${expectedFile} after reviewing:\n${actual}`).toBe(true);
      expect(actual).toBe(readFileSync(expectedFile, 'utf8').trimEnd());
    });
  }
});

// A directory is one scan (helpers in other files): the same columns, each line led by its file.
describe('loop inventory across files', () => {
  for (const name of readdirSync(DIR).filter((f) => statSync(path.join(DIR, f)).isDirectory()).sort()) {
    it(`${name}/`, async () => {
      const result = await run({ cwd: path.join(DIR, name), paths: ['.'] });
      const actual = result.report.loops
        .map((l) => [`${l.file}:${l.line}`, l.function, l.framework, l.guard.kind, l.status, l.receive.call, l.confidence].join(' | '))
        .join('\n');
      const expectedFile = path.join(DIR, `${name}.loops.txt`);
      expect(existsSync(expectedFile), `write ${expectedFile} after reviewing:\n${actual}`).toBe(true);
      expect(actual).toBe(readFileSync(expectedFile, 'utf8').trimEnd());
    });
  }
});
