// The TS/JS file's own habits, read from its text, so that inserted code looks like it was
// always there: quotes, semicolons, the module's logger, names nothing uses yet.

/** The module's logger: `logger`, `log`, a pino/winston instance, else `console`. */
export function loggerOf(text: string): string {
  const declared = (name: string): boolean => new RegExp(`(?:const|let|var|import)\\s+(?:\\{[^}]*\\b${name}\\b[^}]*\\}|${name}\\b)`).test(text);
  for (const name of ['logger', 'log', 'LOGGER']) if (declared(name)) return name;
  const m = /(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:pino\s*\(|winston\.createLogger\s*\(|createLogger\s*\()/.exec(text);
  return m?.[1] ?? 'console';
}

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
