// Atomic writes (SPEC §8): a temp file in the same directory, fsync, rename; the file's mode
// and ownership kept; never over a file that changed on disk since it was read.
import { chmodSync, chownSync, closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export class ChangedOnDiskError extends Error {
  override name = 'ChangedOnDiskError';
}

export function writeAtomic(absPath: string, data: Buffer, expected: Buffer): void {
  const st = statSync(absPath);
  if (!readFileSync(absPath).equals(expected)) throw new ChangedOnDiskError(`${absPath} changed on disk since it was read`);
  const tmp = path.join(path.dirname(absPath), `.${path.basename(absPath)}.hg-${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', st.mode & 0o7777);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    chmodSync(tmp, st.mode & 0o7777);
    try {
      chownSync(tmp, st.uid, st.gid);
    } catch {
      // not permitted for another owner: the mode is still kept
    }
    // Last look before the rename: someone may have written in the meantime.
    if (!readFileSync(absPath).equals(expected)) throw new ChangedOnDiskError(`${absPath} changed on disk since it was read`);
    renameSync(tmp, absPath);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}
