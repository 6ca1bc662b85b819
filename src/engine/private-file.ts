// Files the tool writes for itself (the result cache's shards, the report memo): whole or not at
// all — a temp file beside the target, renamed over it (concurrent runs never see half a file;
// the last writer wins), readable by the owner only.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Writes `data` to `file`; returns why it could not (the temp file removed), or null. */
export function writePrivateFile(file: string, data: Uint8Array): string | null {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
    return null;
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // Nothing more to do: the directory refuses us.
    }
    return `${file}: not written (${e instanceof Error ? e.message : String(e)})`;
  }
}
