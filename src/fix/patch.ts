// The unified diff `fix` prints and the API returns: `git apply` takes it as it is.
import { createTwoFilesPatch } from 'diff';

/** `--- a/FILE` / `+++ b/FILE` with no header after the name (an empty one leaves a trailing tab). */
export function unifiedPatch(file: string, before: string, after: string): string {
  return createTwoFilesPatch(`a/${file}`, `b/${file}`, before, after, undefined, undefined, { context: 3 });
}
