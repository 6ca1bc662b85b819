// Reads a source file as text, or says in one phrase why it cannot be analysed.
import { readFileSync, statSync } from 'node:fs';

export const MAX_FILE_BYTES = 2 * 1024 * 1024;

export type ReadResult = { ok: true; text: string } | { ok: false; reason: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes bytes as UTF-8 source: a BOM is dropped, NUL bytes mean binary, invalid UTF-8 is refused. */
export function decodeSource(bytes: Uint8Array): ReadResult {
  if (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) {
    return { ok: false, reason: 'UTF-16 encoded (only UTF-8 is supported)' };
  }
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: 'binary file' };
  try {
    // TextDecoder drops a leading BOM by default.
    return { ok: true, text: decoder.decode(bytes) };
  } catch {
    return { ok: false, reason: 'not valid UTF-8' };
  }
}

export function readSource(absPath: string, maxBytes = MAX_FILE_BYTES): ReadResult {
  try {
    const size = statSync(absPath).size;
    if (size > maxBytes) return { ok: false, reason: `larger than ${Math.round(maxBytes / 1024)} KiB` };
    return decodeSource(readFileSync(absPath));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { ok: false, reason: code === 'EACCES' ? 'permission denied' : `unreadable (${code ?? 'error'})` };
  }
}
