// What the config loader and the target resolver need without the zod schema: loading zod costs
// ~0.1 s of start-up, which a run with no config file (a pre-commit hook, usually) never needs.

/** `X.Y`, as `--python-version` takes it; shared with the target-version resolver. */
export const PYTHON_VERSION_PATTERN = /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$/;

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
