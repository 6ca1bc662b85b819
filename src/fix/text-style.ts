// The file's own conventions, so that inserted code looks like it was always there:
// line endings, indentation unit, BOM and final newline are kept exactly.

export interface TextStyle {
  eol: '\n' | '\r\n' | '\r';
  /** One level of indentation: a tab or N spaces. */
  indentUnit: string;
  bom: boolean;
}

export function detectStyle(text: string): TextStyle {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/(?<!\r)\n/g) ?? []).length;
  const cr = (text.match(/\r(?!\n)/g) ?? []).length;
  const eol = crlf > lf && crlf >= cr ? '\r\n' : cr > lf ? '\r' : '\n';
  return { eol, indentUnit: detectIndentUnit(text), bom: text.charCodeAt(0) === 0xfeff };
}

/** The smallest positive increase of indentation between consecutive code lines (tabs win if used). */
function detectIndentUnit(text: string): string {
  const counts = new Map<number, number>();
  let prev = 0;
  let tabs = 0;
  let spaces = 0;
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!line.trim() || line.trimStart().startsWith('#')) continue;
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (lead.startsWith('\t')) tabs++;
    else if (lead.length > 0) spaces++;
    const width = lead.length;
    if (!lead.includes('\t') && width > prev) counts.set(width - prev, (counts.get(width - prev) ?? 0) + 1);
    prev = lead.includes('\t') ? prev : width;
  }
  if (tabs > spaces) return '\t';
  let best = 4;
  let bestCount = 0;
  for (const [step, n] of counts) if (n > bestCount || (n === bestCount && step < best)) [best, bestCount] = [step, n];
  return ' '.repeat(best);
}

/** Offset of the start of the line containing `offset`. */
export function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Offset just after the end of the line containing `offset`, including its line break. */
export function lineEndAfterBreak(text: string, offset: number): number {
  let i = offset;
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  if (text[i] === '\r' && text[i + 1] === '\n') return i + 2;
  return i < text.length ? i + 1 : i;
}

/**
 * The start of the comment lines right above the line starting at `at` — at its indentation, with
 * no blank line between — which belong to the statement there: a block inserted before the
 * statement goes above them, so that they keep describing it (and a line directive such as
 * `// eslint-disable-next-line` or a suppression comment keeps applying to it). `isComment(offset)`
 * says whether a comment of the syntax tree starts there (not a line of a string that looks like one).
 */
export function aboveLeadingComments(text: string, at: number, isComment: (offset: number) => boolean): number {
  const indent = /^[ \t]*/.exec(text.slice(at))?.[0] ?? '';
  let start = at;
  while (start > 0) {
    let end = start - 1;
    if (text[end] === '\n' && text[end - 1] === '\r') end--;
    const prev = lineStart(text, end);
    const line = text.slice(prev, end);
    const lead = /^[ \t]*/.exec(line)?.[0] ?? '';
    if (lead !== indent || line.trim() === '' || !isComment(prev + lead.length)) break;
    start = prev;
  }
  return start;
}
