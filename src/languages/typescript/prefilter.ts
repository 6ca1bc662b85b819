// Which TS/JS files can hold anything but syntax problems (issue #8): every file is parsed (the
// syntax row), but the module index and the search for uses, loops, guards and platform issues
// run only where the raw text could give one. A superset, never a judgement: a word in a string
// or a comment counts, and a `\u` escape (`ws.s\u0065nd`) that could spell a name sends the file
// to the full analysis. `--no-prefilter` analyses every file.
import { wordPattern } from '../words.js';

/** What a JavaScript name may hold besides Unicode's identifier characters. */
const JS_NAME_CHARS = '$\u200C\u200D';

/** A loop the analysis knows: `for`, `for…of/in`, `for await`, `while`, `do`, a `forEach` callback. */
const LOOP_WORD = wordPattern(['for', 'while', 'do', 'forEach'], JS_NAME_CHARS);
/**
 * What a use is made of: a method sent or read on a socket or stream, or `on`/`once` (from
 * `events`: the module's name is a string, which escapes of every kind can spell, but the callee
 * is a name).
 */
const USE_WORD = wordPattern(['send', 'ping', 'pong', 'write', 'read', 'on', 'once'], JS_NAME_CHARS);
/** A `\u` escape in a name may spell any word above. */
const ESCAPE = /\\u/;
/** HG012 (a WebSocketPair's server end), HG013 (Deno's upgrade handler), a suppression comment: read from the raw text there too. */
const ALWAYS = ['WebSocketPair', 'upgradeWebSocket', 'handshake-guard:'];

/** Whether a file's text may hold a message loop, a platform issue or a suppression (else: its syntax only). */
export function needsScriptAnalysis(text: string, receiveMethods: readonly string[]): boolean {
  if (ESCAPE.test(text) || ALWAYS.some((word) => text.includes(word))) return true;
  if (!LOOP_WORD.test(text)) return false;
  return USE_WORD.test(text) || receiveMethods.some((name) => name.length > 0 && text.includes(name));
}
