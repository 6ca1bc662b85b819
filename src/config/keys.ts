// What the config loader and the target resolver need without the zod schema: loading zod costs
// ~0.1 s of start-up, which a run with no config file (a pre-commit hook, usually) never needs.

/**
 * `3.Y`, as `--python-version` takes it; shared with the target-version resolver. Python 3 only
 * (the syntax check has no Python 2 grammar), up to 3.20: `3.99` or `4.0` is a typo, not a target.
 */
export const PYTHON_VERSION_PATTERN = /^3\.(?:[0-9]|1[0-9]|20)$/;
export const PYTHON_VERSION_HINT = 'a Python 3 version from 3.0 to 3.20, like 3.11';

export type PathSegment = string | number;

/** A key path as messages show it: `bounds.timeout.min`, `exclude[2]`. */
export function renderPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}
