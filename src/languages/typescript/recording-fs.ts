// The file system the type checker's program is built through (ts-morph's FileSystemHost): it
// answers as ts-morph's own real host does — except that a file it cannot read is absent (the
// real host throws, which fails the program) and a FIFO is never opened for reading — and
// reports every question it was asked. Those answers are everything the program is made of
// besides the roots' texts and the options, so a result that rests on the checker's answer can be
// cached on them (engine/type-facts.ts).
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FileSystemHost, RuntimeDirEntry } from 'ts-morph';
import { stampOf, type Stamp } from '../../engine/stamp.js';
import { withRegularFile } from '../../text-file.js';

/** One question the program (or the tsconfig reader) asked of the file system, with its answer. */
export type FsQuestion =
  /**
   * A file read: the stat of the descriptor it was read through (null: not read — absent, not a
   * regular file, unreadable) and when (ms): a stamp this close to its read may hide a change.
   */
  | { kind: 'read'; path: string; stamp: Stamp | null; at: number }
  | { kind: 'file' | 'dir'; path: string; answer: boolean }
  /** A directory listed: its files and directories (symlinks followed), by name; none when it cannot be read. */
  | { kind: 'list'; path: string; entries: [name: string, kind: 'file' | 'dir'][] }
  /** '' when the path does not resolve. */
  | { kind: 'realpath'; path: string; answer: string };

export type AskFs = (question: FsQuestion) => void;

function statKind(p: string, kind: 'file' | 'dir'): boolean {
  try {
    const st = statSync(p);
    return kind === 'file' ? st.isFile() : st.isDirectory();
  } catch {
    return false;
  }
}

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
  ask({ kind: 'read', path: file, stamp: unreadStamp(file), at: Date.now() });
  return undefined;
}

/** The stamp of a regular file that could not be read (its permissions: a change of them changes its ctime); null: none there. */
function unreadStamp(file: string): Stamp | null {
  try {
    const st = statSync(file);
    return st.isFile() ? stampOf(st) : null;
  } catch {
    return null;
  }
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
  return {
    isCaseSensitive: () => process.platform !== 'win32' && process.platform !== 'darwin',
    readDirSync(dirPath: string): RuntimeDirEntry[] {
      let listed: RuntimeDirEntry[] | null = null;
      try {
        listed = readdirSync(dirPath, { withFileTypes: true }).map((e) => {
          const name = path.join(dirPath, e.name);
          // A symlink is what it points to (ts-morph's real host does the same).
          const link = e.isSymbolicLink();
          return { name, isFile: link ? statKind(name, 'file') : e.isFile(), isDirectory: link ? statKind(name, 'dir') : e.isDirectory(), isSymlink: link };
        });
      } catch {
        // Unreadable or absent: no entries.
      }
      const entries = (listed ?? []).flatMap((e): [string, 'file' | 'dir'][] => (e.isFile || e.isDirectory ? [[path.basename(e.name), e.isDirectory ? 'dir' : 'file']] : []));
      ask({ kind: 'list', path: dirPath, entries });
      if (listed === null) throw new notFound.dir(dirPath);
      return listed;
    },
    readFileSync(filePath: string): string {
      const text = readReporting(filePath, ask);
      if (text === undefined) throw new notFound.file(filePath);
      return text;
    },
    readFile(filePath: string): Promise<string> {
      return Promise.resolve().then(() => this.readFileSync(filePath));
    },
    fileExistsSync(filePath: string): boolean {
      const answer = statKind(filePath, 'file');
      ask({ kind: 'file', path: filePath, answer });
      return answer;
    },
    fileExists(filePath: string): Promise<boolean> {
      return Promise.resolve().then(() => this.fileExistsSync(filePath));
    },
    directoryExistsSync(dirPath: string): boolean {
      const answer = statKind(dirPath, 'dir');
      ask({ kind: 'dir', path: dirPath, answer });
      return answer;
    },
    directoryExists(dirPath: string): Promise<boolean> {
      return Promise.resolve().then(() => this.directoryExistsSync(dirPath));
    },
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
