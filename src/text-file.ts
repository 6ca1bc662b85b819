// Files the tool reads — sources, and the small data files it looks for by name (config,
// pyproject.toml, .python-version, tsconfig.json, …) — are opened without blocking and read only
// when they are regular files, so that a FIFO or a device under one of those names (or swapped in
// after the walk) cannot hang a run.
import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';

/** Hands a regular file's descriptor and stat to `use`; 'not-regular' for anything else. Open and read errors are thrown. */
export function withRegularFile<T>(file: string, use: (fd: number, st: Stats) => T): T | 'not-regular' {
  const fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  try {
    const st = fstatSync(fd);
    return st.isFile() ? use(fd, st) : 'not-regular';
  } finally {
    closeSync(fd);
  }
}

/** The text of a regular file; null when there is none (absent, a directory, a FIFO, a device). Other errors are thrown. */
export function readRegularText(file: string): string | null {
  try {
    const text = withRegularFile(file, (fd) => readFileSync(fd, 'utf8'));
    if (text === 'not-regular') return null;
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return null;
    throw err;
  }
}
