// The TS/JS file's own habits, read from its text, so that inserted code looks like it was
// always there: quotes, semicolons, names nothing uses yet (the logger: ts-logger.ts).

export function quoteOf(text: string): "'" | '"' {
  const single = (text.match(/'[^'\n]*'/g) ?? []).length;
  const double = (text.match(/"[^"\n]*"/g) ?? []).length;
  return double > single ? '"' : "'";
}

export function usesSemicolons(text: string): boolean {
  const lines = text.split(/\r\n|\r|\n/).map((l) => l.trimEnd()).filter((l) => l && !/[{}(,[]$/.test(l) && !l.trimStart().startsWith('//'));
  const withSemi = lines.filter((l) => l.endsWith(';')).length;
  return withSemi * 2 >= lines.length;
}

/** `base`, or `base2`, `base3`… — the first that does not occur in `text` as a word. */
export function freshName(text: string, base: string): string {
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(text); i++) name = `${base}${i}`;
  return name;
}
