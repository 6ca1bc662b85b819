// The file-system questions the type checker's program (program-host.ts) and the tsconfig reader
// ask, each answered and reported: a file it cannot read is absent, and a FIFO is never opened
// for reading. Those answers are everything the program is made of besides the roots' texts, the
// options and the compiler's lib files (part of the tool), so a result that rests on the
// checker's answer can be cached on them (engine/type-facts.ts).
import { readdirSync, readFileSync, realpathSync, type Dirent } from 'node:fs';
import { classifyEntries, fileStamp, statKind } from '../../dir-entries.js';
import { stampOf, type Stamp } from '../../engine/stamp.js';
import { withRegularFile } from '../../text-file.js';

/** One question the program (or the tsconfig reader) asked of the file system, with its answer. */
export type FsQuestion =
  /**
   * A file read: the stat of the descriptor it was read through (a regular file that could not be
   * read: its stat; null: absent, or not a regular file) and when (ms): a stamp this close to its
   * read may hide a change.
   */
  | { kind: 'read'; path: string; stamp: Stamp | null; at: number }
  | { kind: 'file' | 'dir'; path: string; answer: boolean }
  /** A directory listed: its files and directories (symlinks followed), by name; none when it cannot be read. */
  | { kind: 'list'; path: string; entries: [name: string, kind: 'file' | 'dir'][] }
  /** '' when the path does not resolve. */
  | { kind: 'realpath'; path: string; answer: string };

export type AskFs = (question: FsQuestion) => void;

/**
 * A file's text as the program reads it (UTF-8, a BOM kept: the compiler strips it), reporting
 * the read; undefined when it is not a regular file or cannot be read. Never blocks on a FIFO.
 */
export function readReporting(file: string, ask: AskFs): string | undefined {
  try {
    const read = withRegularFile(file, (fd, st) => ({ text: readFileSync(fd, 'utf8'), stamp: stampOf(st) }));
    if (read !== 'not-regular') {
      ask({ kind: 'read', path: file, stamp: read.stamp, at: Date.now() });
      return read.text;
    }
  } catch {
    // Not readable: the same answer as an absent file (below).
  }
  ask({ kind: 'read', path: file, stamp: fileStamp(file), at: Date.now() });
  return undefined;
}

/** Whether a path is a file (or a directory), reporting the question: the same answer the cache's probe gives (dir-entries.ts). */
export function existsReporting(kind: 'file' | 'dir', p: string, ask: AskFs): boolean {
  const answer = statKind(p) === kind;
  ask({ kind, path: p, answer });
  return answer;
}

/**
 * A directory's files and directories by name (symlinks followed, as the cache's probe sees them),
 * reporting the listing; null when it cannot be read (absent, not a directory, unreadable).
 */
export function listReporting(dir: string, ask: AskFs): Map<string, 'file' | 'dir'> | null {
  let dirents: Dirent[] | null = null;
  try {
    dirents = readdirSync(dir, { withFileTypes: true });
  } catch {
    // Unreadable or absent: no entries.
  }
  const kinds = classifyEntries(dir, dirents ?? []);
  ask({ kind: 'list', path: dir, entries: [...kinds] });
  return dirents === null ? null : kinds;
}

/** Where a path resolves to (symlinks followed), reporting the question; null when it does not resolve. */
export function realpathReporting(p: string, ask: AskFs): string | null {
  let answer = '';
  try {
    answer = realpathSync(p);
  } catch {
    // Does not resolve: '' in the question.
  }
  ask({ kind: 'realpath', path: p, answer });
  return answer === '' ? null : answer;
}
