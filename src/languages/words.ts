// A word of source text as a scanner reads it, for the text prefilters (issue #8): not part of a
// longer name — but right after a digit it is a word of its own (`0for` is a number, then the
// keyword `for`, in a file with a syntax error, which a parser still reads as a loop). `\b`
// would miss that one and count `éfor`, a name.

/**
 * A pattern matching any of `alternatives` standing as a word; `nameChars` are the characters
 * besides Unicode's identifier characters a name may hold (JavaScript: `$`, ZWNJ, ZWJ).
 */
export function wordPattern(alternatives: readonly string[], nameChars = ''): RegExp {
  const extra = nameChars.replace(/[\\\]^-]/g, '\\$&');
  return new RegExp(`(?<![${extra}\\p{ID_Start}\\p{Mn}\\p{Mc}\\p{Pc}])(?:${alternatives.join('|')})(?![${extra}\\p{ID_Continue}])`, 'u');
}
