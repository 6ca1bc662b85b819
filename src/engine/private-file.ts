// Files the tool writes for itself (the result cache's shards, the report memo): whole or not at
// all — a temp file beside the target, renamed over it (concurrent runs never see half a file;
// the last writer wins), readable by the owner only.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time: Node's `{ recursive: true }` spins forever under /proc
 * (`--cache /proc/x` hung the run), where mkdir answers ENOENT for a parent that exists.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !existsSync(d); d = path.dirname(d)) {
    missing.push(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** Writes `data` to `file`; returns why it could not (the temp file removed), or null. */
export function writePrivateFile(file: string, data: Uint8Array): string | null {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    makeDirs(path.dirname(file));
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
