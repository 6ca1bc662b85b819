// Terminal safety for every reporter and note: no file name, message or source line can drive
// the terminal. Its own module (no chalk): notes and JSON runs need it without the text reporter.

// C0/C1 controls, DEL, line/paragraph separators and bidi overrides ("Trojan Source").
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_TAB = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Shows control characters as escapes (`\x1b`, `\n`, `\u202e`) so no file name or message can drive the terminal. */
export function escapeControl(text: string): string {
  return text.replace(UNSAFE, escapeChar);
}

/** `escapeControl` for a source line: a tab is layout, not a threat (a trailing CR is dropped). */
export function escapeCodeLine(text: string): string {
  return stripCr(text).replace(UNSAFE_BUT_TAB, escapeChar);
}

function escapeChar(ch: string): string {
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };
  const code = ch.charCodeAt(0);
  return named[ch] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

export function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
