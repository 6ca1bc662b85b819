// The file system the type checker's program is built through (ts-morph's FileSystemHost): it
// answers as ts-morph's own real host does — except that a file it cannot read is absent (the
// real host throws, which fails the program) and a FIFO is never opened for reading — and
// reports every question it was asked. Those answers are everything the program is made of
// besides the roots' texts and the options, so a result that rests on the checker's answer can be
// cached on them (engine/type-facts.ts).
import { readdirSync, readFileSync, realpathSync, type Dirent } from 'node:fs';
import path from 'node:path';
import type { FileSystemHost, RuntimeDirEntry } from 'ts-morph';
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

/** The asynchronous twin of a synchronous answer (ts-morph's host has both; building a program uses the first). */
function later<A extends unknown[], R>(answer: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) => Promise.resolve().then(() => answer(...args));
}

type NotFound = new (path: string) => Error;

/**
 * ts-morph's "not found" errors: its file system layer tells an absent file by their class. They
 * are exported at run time though not in its typings.
 */
function notFoundErrors(morph: typeof import('ts-morph')): { file: NotFound; dir: NotFound } {
  const m = morph as unknown as { FileNotFoundError?: NotFound; DirectoryNotFoundError?: NotFound };
  if (typeof m.FileNotFoundError !== 'function' || typeof m.DirectoryNotFoundError !== 'function') throw new Error('ts-morph no longer exports FileNotFoundError/DirectoryNotFoundError');
  return { file: m.FileNotFoundError, dir: m.DirectoryNotFoundError };
}

/** Only what building a program uses is answered; anything that writes or globs is not ours to do. */
export function recordingFileSystem(morph: typeof import('ts-morph'), ask: AskFs): FileSystemHost {
  const notFound = notFoundErrors(morph);
  const unsupported = (what: string) => (): never => {
    throw new Error(`the type checker's file system does not ${what}`);
  };
  const readFileSyncReporting = (filePath: string): string => {
    const text = readReporting(filePath, ask);
    if (text === undefined) throw new notFound.file(filePath);
    return text;
  };
  const fileExistsSync = (filePath: string): boolean => existsReporting('file', filePath, ask);
  const directoryExistsSync = (dirPath: string): boolean => existsReporting('dir', dirPath, ask);
  return {
    isCaseSensitive: () => process.platform !== 'win32' && process.platform !== 'darwin',
    readDirSync(dirPath: string): RuntimeDirEntry[] {
      let dirents: Dirent[] | null = null;
      try {
        dirents = readdirSync(dirPath, { withFileTypes: true });
      } catch {
        // Unreadable or absent: no entries.
      }
      // A symlink is what it points to (ts-morph's real host does the same), as the probe sees it.
      const kinds = classifyEntries(dirPath, dirents ?? []);
      ask({ kind: 'list', path: dirPath, entries: [...kinds] });
      if (dirents === null) throw new notFound.dir(dirPath);
      return dirents.map((e) => ({ name: path.join(dirPath, e.name), isFile: kinds.get(e.name) === 'file', isDirectory: kinds.get(e.name) === 'dir', isSymlink: e.isSymbolicLink() }));
    },
    readFileSync: readFileSyncReporting,
    readFile: later(readFileSyncReporting),
    fileExistsSync,
    fileExists: later(fileExistsSync),
    directoryExistsSync,
    directoryExists: later(directoryExistsSync),
    realpathSync(p: string): string {
      let answer = '';
      try {
        answer = realpathSync(p);
        return answer;
      } finally {
        ask({ kind: 'realpath', path: p, answer });
      }
    },
    getCurrentDirectory: () => process.cwd(),
    delete: unsupported('delete'),
    deleteSync: unsupported('delete'),
    writeFile: unsupported('write'),
    writeFileSync: unsupported('write'),
    mkdir: unsupported('write'),
    mkdirSync: unsupported('write'),
    move: unsupported('write'),
    moveSync: unsupported('write'),
    copy: unsupported('write'),
    copySync: unsupported('write'),
    glob: unsupported('glob'),
    globSync: unsupported('glob'),
  };
}
