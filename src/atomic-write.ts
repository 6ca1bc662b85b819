// Atomic writes (SPEC §8): a temp file in the same directory, fsync, rename; the file's mode
// and ownership kept; `fix` never writes over a file that changed on disk since it was read, and
// reports (`-o`) are never half-written. A symlink is written through (its target is replaced,
// the link stays). Whatever happens, no temp file is
// left behind, except after SIGKILL or a power cut between creating the temp file and the
// rename; even then the source file itself is either its old or its new content.
import { accessSync, chmodSync, chownSync, closeSync, constants, fsyncSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeFileSync, writeSync, type Stats } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ioReason } from './errors.js';

export class ChangedOnDiskError extends Error {
  override name = 'ChangedOnDiskError';
}

/**
 * TEST ONLY: called with the target's path once the temp file is written and synced, just before
 * the last look at the target and the rename. Tests change the file there to prove it is not
 * overwritten. Never set in production code.
 */
let beforeRenameHook: ((absPath: string) => void) | null = null;

/** TEST ONLY: sets (or, with null, clears) the hook run just before the last check and the rename. */
export function setBeforeRenameHookForTests(hook: ((absPath: string) => void) | null): void {
  beforeRenameHook = hook;
}

/** The temp files `writeAtomic` creates beside `base` look like this (for tests and clean-up). */
export const TEMP_FILE_PATTERN = /^\..+\.hg-\d+-[0-9a-f]{8}\.tmp$/;

function fsyncDirectory(dir: string): void {
  let fd: number | null = null;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported everywhere (Windows): the rename is still atomic
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

export function writeAtomic(absPath: string, data: Buffer, expected: Buffer): void {
  const target = realpathSync(absPath);
  const st = statSync(target);
  // Read before and once more right before the rename: someone may have written in the meantime.
  const unchanged = (): void => {
    if (!readFileSync(target).equals(expected)) throw new ChangedOnDiskError(`${absPath} changed on disk since it was read`);
  };
  unchanged();
  replaceViaTemp(target, data, st, () => {
    beforeRenameHook?.(target);
    unchanged();
  });
}

/**
 * A report or baseline file (`-o`), written whole: a regular file (through a symlink) or a new
 * one is replaced by a temp file's rename, its mode and owner kept; what is not a regular file
 * (a terminal, `/dev/stdout`, a FIFO) is written to as a shell redirection would, never replaced.
 * Throws a one-line `Error` saying why it cannot (naming the file as `shown`).
 */
export function writeReportFile(absPath: string, text: string, shown = absPath): void {
  const data = Buffer.from(text, 'utf8');
  let target = absPath;
  let st: Stats | null = null;
  try {
    target = realpathSync(absPath);
    st = statSync(target);
  } catch {
    // Not there (or a dangling symlink): written new below.
  }
  try {
    if (st?.isDirectory()) throw new Error('is a directory');
    if (st !== null && !st.isFile()) {
      writeFileSync(target, data);
      return;
    }
    if (st === null && lstatOrNull(absPath)?.isSymbolicLink()) {
      // A dangling link: write where it points, as `>` does (nothing there to lose).
      writeFileSync(absPath, data);
      return;
    }
    replaceViaTemp(target, data, st, () => {});
  } catch (e) {
    throw new Error(`cannot write ${shown}: ${ioReason(e)}`);
  }
}

function ownerOf(p: string): number {
  return statSync(p).uid;
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

/**
 * Writes `data` to a temp file beside `target`, synced, with the mode and owner of `like` (the
 * file it replaces; null: a new file, the umask's mode), runs `beforeRename`, then renames it over
 * `target`. The temp file never outlives a failure.
 */
function replaceViaTemp(target: string, data: Buffer, like: Stats | null, beforeRename: () => void): void {
  // A rename needs only the directory's permission: a read-only file, or one we could not give
  // back its owner, is refused as writing it in place would be (ruff, black and `>` say EACCES).
  if (like !== null) accessSync(target, constants.W_OK);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.hg-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', like === null ? 0o666 : like.mode & 0o7777);
  try {
    try {
      let at = 0;
      while (at < data.length) at += writeSync(fd, data, at, data.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (like !== null) {
      chmodSync(tmp, like.mode & 0o7777);
      try {
        chownSync(tmp, like.uid, like.gid);
      } catch {
        // Not permitted: another user's file would become ours. A group we are not in is dropped as `cp` does.
        if (like.uid !== ownerOf(tmp)) throw new Error(`it belongs to another user (uid ${like.uid}), whose ownership a replacement cannot keep`);
      }
    }
    beforeRename();
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  fsyncDirectory(dir);
}
