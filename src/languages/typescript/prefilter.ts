// Which TS/JS files can hold anything but syntax problems (issue #8): every file is parsed (the
// syntax row), but the module index and the search for uses, loops, guards and platform issues
// run only where the raw text could give one. A superset, never a judgement: a word in a string
// or a comment counts, and an escape (`\u0073end`, `'\x6dessage'`) that could spell any of them
// sends the file to the full analysis. `--no-prefilter` analyses every file.

/** A loop the analysis knows: `for`, `for…of/in`, `for await`, `while`, `do`, a `forEach` callback. */
const LOOP_WORD = /\b(?:for|while|do|forEach)\b/;
/** What a use is made of: a method sent or read on a socket or stream, or `on`/`once` from `events`. */
const USE_WORD = /\b(?:send|ping|pong|write|read|events)\b/;
/** An escape in an identifier or a string may spell any word above. */
const ESCAPE = /\\[ux]/;
/** HG012 (a WebSocketPair's server end), HG013 (Deno's upgrade handler), a suppression comment. */
const ALWAYS = ['WebSocketPair', 'upgradeWebSocket', 'handshake-guard:'];

/** Whether a file's text may hold a message loop, a platform issue or a suppression (else: its syntax only). */
export function needsScriptAnalysis(text: string, receiveMethods: readonly string[]): boolean {
  if (ESCAPE.test(text) || ALWAYS.some((word) => text.includes(word))) return true;
  if (!LOOP_WORD.test(text)) return false;
  return USE_WORD.test(text) || receiveMethods.some((name) => name.length > 0 && text.includes(name));
}
