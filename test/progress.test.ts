// The progress bar (issue #8): only on a terminal, only after half a second, never in CI or with --quiet.
import { describe, expect, it, vi } from 'vitest';
import { createProgress, progressWanted } from '../src/cli/progress.js';

function fakeStream(isTTY: boolean): NodeJS.WriteStream & { written: string } {
  const s = {
    isTTY,
    columns: 100,
    written: '',
    write(chunk: string) {
      s.written += chunk;
      return true;
    },
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    on: () => s,
    removeListener: () => s,
  };
  return s as unknown as NodeJS.WriteStream & { written: string };
}

describe('progress on stderr', () => {
  it('is wanted on a terminal only, outside CI and without --quiet', () => {
    expect(progressWanted({}, {}, fakeStream(true))).toBe(true);
    expect(progressWanted({}, {}, fakeStream(false))).toBe(false);
    expect(progressWanted({ quiet: true }, {}, fakeStream(true))).toBe(false);
    expect(progressWanted({}, { CI: 'true' }, fakeStream(true))).toBe(false);
    expect(progressWanted({}, { CI: '1' }, fakeStream(true))).toBe(false);
    expect(progressWanted({}, { CI: 'false' }, fakeStream(true))).toBe(true);
  });

  it('draws nothing in the first half second, then a bar of files parsed / total with the read count', () => {
    vi.useFakeTimers();
    try {
      const saved = process.env['CI'];
      delete process.env['CI'];
      const stream = fakeStream(true);
      const p = createProgress({}, stream);
      if (saved !== undefined) process.env['CI'] = saved;
      expect(p).not.toBeNull();
      p?.update({ read: 1, parsed: 0, total: 10 });
      expect(stream.written).toBe('');
      vi.advanceTimersByTime(600);
      p?.update({ read: 5, parsed: 4, total: 10 });
      expect(stream.written).toMatch(/4\/10 files parsed, 5 read/);
      p?.stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it('is never created when stderr is piped', () => {
    expect(createProgress({}, fakeStream(false))).toBeNull();
  });
});
