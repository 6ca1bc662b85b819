// HG011, string literals: what CPython's tokenizer and string decoder reject and tree-sitter
// accepts — unknown prefixes (`ur""`), non-ASCII bytes, broken `\x`/`\u`/`\U`/`\N{}` escapes,
// bytes concatenated with str. f-strings' own rules are `fstrings.ts`'s.
import type { Position } from '../../model.js';
import { kids, named, type PyNode } from './nodes.js';
import { reportError, requireVersion, targetAtLeast, type SyntaxContext } from './version-syntax.js';

export const VALID_PREFIXES = new Set(['', 'r', 'u', 'b', 'f', 'br', 'rb', 'fr', 'rf']);
/** Template strings (PEP 750, Python 3.14): formatted like f-strings, never bytes. */
export const TEMPLATE_PREFIXES = new Set(['t', 'tr', 'rt']);

export interface StringShape {
  prefix: string;
  quote: string;
  /** Offsets in the node's text: the body between the quotes. */
  bodyStart: number;
  bodyEnd: number;
  raw: boolean;
  bytes: boolean;
  formatted: boolean;
}

export function stringShape(text: string): StringShape | null {
  const m = /^([A-Za-z]*)('''|"""|'|")/.exec(text);
  if (!m) return null;
  const prefix = (m[1] as string).toLowerCase();
  const quote = m[2] as string;
  const bodyStart = m[0].length;
  const closed = text.length >= bodyStart + quote.length && text.endsWith(quote);
  return {
    prefix,
    quote,
    bodyStart,
    bodyEnd: closed ? text.length - quote.length : text.length,
    raw: prefix.includes('r'),
    bytes: prefix.includes('b'),
    formatted: prefix.includes('f') || prefix.includes('t'),
  };
}

/** The position of `index` in a node's text, in the file's coordinates. */
export function positionIn(ctx: SyntaxContext, node: PyNode, text: string, index: number): Position {
  const start = ctx.at(node);
  let line = start.line;
  let lastNewline = -1;
  for (let i = 0; i < index; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastNewline = i;
    }
  }
  return lastNewline < 0 ? { line, column: start.column + index } : { line, column: index - lastNewline };
}

const HEX = /^[0-9a-fA-F]+$/;

/** The first escape sequence in text[from, to) that CPython cannot decode. */
export function escapeProblem(text: string, from: number, to: number, bytes: boolean): { index: number; message: string } | null {
  for (let i = from; i < to - 1; i++) {
    if (text[i] !== '\\') continue;
    const c = text[i + 1];
    const digits = (n: number): boolean => i + 2 + n <= to && HEX.test(text.slice(i + 2, i + 2 + n));
    if (c === 'x' && !digits(2)) {
      return { index: i, message: bytes ? '(value error) invalid \\x escape' : '(unicode error) truncated \\xXX escape' };
    }
    if (!bytes && c === 'u' && !digits(4)) return { index: i, message: '(unicode error) truncated \\uXXXX escape' };
    if (!bytes && c === 'U') {
      if (!digits(8)) return { index: i, message: '(unicode error) truncated \\UXXXXXXXX escape' };
      if (parseInt(text.slice(i + 2, i + 10), 16) > 0x10ffff) return { index: i, message: '(unicode error) illegal Unicode character' };
    }
    if (!bytes && c === 'N') {
      const close = text[i + 2] === '{' ? text.indexOf('}', i + 3) : -1;
      if (close < 0 || close >= to || close === i + 3) return { index: i, message: '(unicode error) malformed \\N character escape' };
      // Names are words of letters and digits joined by spaces and hyphens; nothing else names a
      // character. (Whether a well-formed name exists needs Unicode's name table: not checked.)
      if (!/^[A-Za-z0-9]+(?:[ -]+[A-Za-z0-9]+)*$/.test(text.slice(i + 3, close))) {
        return { index: i, message: '(unicode error) unknown Unicode character name' };
      }
      i = close - 1;
    }
    i++;
  }
  return null;
}

/** Checks one `string` node's prefix, and the body of a string that is not an f-string. */
export function checkStringLiteral(ctx: SyntaxContext, node: PyNode): StringShape | null {
  const text = node.text;
  const shape = stringShape(text);
  if (!shape) return null;
  if (TEMPLATE_PREFIXES.has(shape.prefix)) {
    // Below 3.14 the version is what is wrong with it: the f-string checks would only add noise.
    if (targetAtLeast(ctx, 14)) return shape;
    requireVersion(ctx, ctx.at(node), 't-string literal', 14);
    return null;
  }
  if (!VALID_PREFIXES.has(shape.prefix)) {
    reportError(ctx, ctx.at(node), `invalid string prefix \`${text.slice(0, shape.prefix.length)}\``);
    return shape;
  }
  if (shape.formatted) return shape;
  if (shape.bytes) {
    for (let i = shape.bodyStart; i < shape.bodyEnd; i++) {
      if (text.charCodeAt(i) > 0x7f) {
        reportError(ctx, positionIn(ctx, node, text, i), 'bytes can only contain ASCII literal characters');
        return shape;
      }
    }
  }
  if (!shape.raw) {
    const bad = escapeProblem(text, shape.bodyStart, shape.bodyEnd, shape.bytes);
    if (bad) reportError(ctx, positionIn(ctx, node, text, bad.index), bad.message);
  }
  return shape;
}

/** `b"a" "b"`: bytes and str cannot be concatenated; nor can a t-string with anything but t-strings. */
export function checkConcatenation(ctx: SyntaxContext, node: PyNode): void {
  const parts = named(node).filter((c) => c.type === 'string');
  const prefixes = parts.map((p) => {
    const start = kids(p)[0];
    return start?.type === 'string_start' ? start.text : '';
  });
  const templates = prefixes.map((p) => /t/i.test(p));
  // Below 3.14 each t-string is reported as such already.
  if (templates.some(Boolean) && !templates.every(Boolean) && targetAtLeast(ctx, 14)) {
    reportError(ctx, ctx.at(node), 'cannot mix t-string literals with string or bytes literals');
    return;
  }
  const bytes = prefixes.map((p) => /b/i.test(p));
  if (bytes.some(Boolean) && !bytes.every(Boolean)) reportError(ctx, ctx.at(node), 'cannot mix bytes and nonbytes literals');
}
