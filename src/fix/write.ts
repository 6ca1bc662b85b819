// Atomic writes (SPEC §8): a temp file in the same directory, fsync, rename; the file's mode
// and ownership kept; never over a file that changed on disk since it was read. A symlink is
// written through (its target is replaced, the link stays). Whatever happens, no temp file is
// left behind, except after SIGKILL or a power cut between creating the temp file and the
// rename; even then the source file itself is either its old or its new content.
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

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
  if (!readFileSync(target).equals(expected)) throw new ChangedOnDiskError(`${absPath} changed on disk since it was read`);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.hg-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', st.mode & 0o7777);
  try {
    try {
      let at = 0;
      while (at < data.length) at += writeSync(fd, data, at, data.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, st.mode & 0o7777);
    try {
      chownSync(tmp, st.uid, st.gid);
    } catch {
      // not permitted for another owner: the mode is still kept
    }
    beforeRenameHook?.(target);
    // Last look before the rename: someone may have written in the meantime.
    if (!readFileSync(target).equals(expected)) throw new ChangedOnDiskError(`${absPath} changed on disk since it was read`);
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
