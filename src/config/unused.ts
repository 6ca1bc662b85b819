// Configurations below the working directory that a run does not use (SPEC §10 reads from the
// working directory upward, as pre-commit runs from the repository root): said in a note rather
// than ignored in silence — Ruff users expect a subdirectory's configuration to apply.
import type { Dirent } from 'node:fs';
import path from 'node:path';
import { isInside } from '../paths.js';
import { readRegularText } from '../text-file.js';
import { CONFIG_FILE_NAME, PACKAGE_KEY, PYPROJECT_TABLE } from './load.js';

/** The marker a file must hold to be a configuration (a text test, as discovery's first one). */
const CANDIDATES: ReadonlyMap<string, string> = new Map([
  [CONFIG_FILE_NAME, ''],
  ['pyproject.toml', `[tool.${PYPROJECT_TABLE}]`],
  ['package.json', `"${PACKAGE_KEY}"`],
]);

/**
 * The configuration files in the walked directories below `cwd` (from the walk's listings, so a
 * file is read only when its name matches), other than `used` and those `cwd`'s own discovery saw.
 */
export function unusedConfigs(listings: ReadonlyMap<string, readonly Dirent[]>, cwd: string, used: readonly string[]): string[] {
  const out: string[] = [];
  for (const [dir, entries] of listings) {
    // cwd and the directories above it are discovery's: what it did not use there is noted as shadowed.
    if (isInside(dir, cwd)) continue;
    for (const entry of entries) {
      const marker = CANDIDATES.get(entry.name);
      if (marker === undefined || !entry.isFile()) continue;
      const file = path.join(dir, entry.name);
      if (used.includes(file)) continue;
      let text: string | null = null;
      try {
        text = marker === '' ? '' : readRegularText(file);
      } catch {
        continue;
      }
      if (text !== null && text.includes(marker)) out.push(file);
    }
  }
  return out.sort();
}
