// Text offsets as (row, column): the layout scan's problem positions and the cheap path's
// tree-sitter points both need them.

/**
 * Where each line of `text` starts: after LF, CRLF or a lone CR, as CPython ends lines. The
 * parsed text has its lone CRs made LF already (`parseTolerant`), so these rows are tree-sitter's too.
 */
export function lineStartsOf(text: string): number[] {
  const starts = [0];
  // Without a CR (almost every parsed text) the native search for LF is ~4x faster than a
  // character loop; this runs for every file the cheap path checks.
  if (!text.includes('\r')) {
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) starts.push(k + 1);
    return starts;
  }
  for (let k = 0; k < text.length; k++) {
    const c = text.charCodeAt(k);
    if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) starts.push(k + 1);
  }
  return starts;
}

/** The zero-based row and column of a text offset, given its text's `lineStartsOf`. */
export function pointAt(starts: number[], offset: number): { row: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] as number) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { row: lo, column: offset - (starts[lo] as number) };
}
