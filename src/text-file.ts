// Small data files the tool looks for by name (config, pyproject.toml, .python-version,
// tsconfig.json, …) are read like sources: opened without blocking and read only when they are
// regular files, so that a FIFO or a device under one of those names cannot hang a run.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';

/** The text of a regular file; null when there is none (absent, a directory, a FIFO, a device). Other errors are thrown. */
export function readRegularText(file: string): string | null {
  let fd: number | null = null;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    if (!fstatSync(fd).isFile()) return null;
    const text = readFileSync(fd, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw err;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}
