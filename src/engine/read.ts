// Reads a source file as text, or says in one phrase why it cannot be analysed.
import { readSync } from 'node:fs';
import { TextDecoder } from 'node:util';
import { DEFAULT_MAX_FILE_BYTES } from '../config/types.js';
import { withRegularFile } from '../text-file.js';
import { stampOf, type Stamp } from './stamp.js';

/** The default of the config's `maxFileBytes`. */
export const MAX_FILE_BYTES = DEFAULT_MAX_FILE_BYTES;

/**
 * `stamp`: the stat of what was read, for a file read from the working tree (stat-index.ts); a
 * file refused for its size or bytes has one too (the same stat gets the same refusal).
 */
export type ReadResult = { ok: true; text: string; stamp?: Stamp } | { ok: false; reason: string; stamp?: Stamp };

const utf8 = new TextDecoder('utf-8', { fatal: true });
// PEP 263: `# -*- coding: latin-1 -*-` on one of the first two lines.
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

function declaredEncoding(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 400)).toString('latin1').split(/\r?\n|\r/, 2);
  for (const line of head) {
    const m = CODING.exec(line);
    if (m) return (m[1] as string).toLowerCase();
  }
  return null;
}

/** Python codec names (`latin-1`, `cp1252`, `iso8859_15`) as WHATWG TextDecoder labels. */
function decoderFor(codec: string): TextDecoder | null {
  const dashed = codec.replace(/_/g, '-');
  const candidates = [codec, dashed, dashed.replace(/-/g, ''), dashed.replace(/^iso(\d)/, 'iso-$1'), dashed.replace(/^latin-?1$/, 'latin1')];
  for (const label of candidates) {
    try {
      return new TextDecoder(label, { fatal: true });
    } catch {
      // not a label TextDecoder knows; try the next spelling
    }
  }
  return null;
}

/**
 * Decodes source bytes: UTF-8 (a BOM is dropped), or the encoding a PEP 263 comment declares.
 * NUL bytes mean binary; UTF-16 and undecodable bytes are refused with the reason.
 */
export function decodeSource(bytes: Uint8Array): ReadResult {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { ok: false, reason: 'UTF-16 encoded (only UTF-8 and PEP 263 declared encodings are supported)' };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: 'binary file' };
  const declared = declaredEncoding(bytes);
  if (declared && !/^utf[-_]?8/.test(declared)) {
    const decoder = decoderFor(declared);
    if (!decoder) return { ok: false, reason: `unsupported encoding ${declared} (declared by its coding comment)` };
    try {
      return { ok: true, text: decoder.decode(bytes) };
    } catch {
      return { ok: false, reason: `not valid ${declared} (declared by its coding comment)` };
    }
  }
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
}

/** `2 MiB`, `512 KiB`, `1000 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

/**
 * Reads a file through one descriptor: opened without blocking (a FIFO swapped in after the walk
 * cannot hang the scan), checked to be a regular file no larger than `maxBytes` (the config's
 * `maxFileBytes`), then read to the size it had, never more.
 */
export function readSource(absPath: string, maxBytes = MAX_FILE_BYTES): ReadResult {
  try {
    const r = withRegularFile(absPath, (fd, st): ReadResult => {
      const size = st.size;
      if (size > maxBytes) return { ok: false, reason: `larger than ${formatBytes(maxBytes)} (maxFileBytes): ${size} bytes`, stamp: stampOf(st) };
      const bytes = Buffer.alloc(size);
      let at = 0;
      while (at < bytes.length) {
        const n = readSync(fd, bytes, at, bytes.length - at, at);
        if (n === 0) break; // truncated while we read: analyse what was there
        at += n;
      }
      const decoded = decodeSource(bytes.subarray(0, at));
      return { ...decoded, stamp: stampOf(st) };
    });
    return r === 'not-regular' ? { ok: false, reason: 'not a regular file' } : r;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'EACCES' || code === 'EPERM' ? 'permission denied' : `unreadable (${code ?? 'error'})` };
  }
}
