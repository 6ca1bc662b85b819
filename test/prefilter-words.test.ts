// The prefilter's receive-like search looks only for the shortest words (`receive` finds every
// `receive_*`): the answer must be the one the full list of words gives, for any text.
import { describe, expect, it } from 'vitest';
import { FRAMEWORK_RECEIVES } from '../src/languages/python/connection.js';
import { receiveLikePattern } from '../src/languages/python/prefilter.js';

const BUILT_IN = ['recv', 'receive', 'iter_', 'websocket', 'aiohttp', 'sanic', 'ws_connect', '__anext__', ...Object.values(FRAMEWORK_RECEIVES).flatMap((l) => [...(l ?? [])])];

/** The answer of the full word list, by plain substring search. */
function reference(configured: readonly string[], text: string): boolean {
  const lower = text.toLowerCase();
  return BUILT_IN.some((w) => lower.includes(w.toLowerCase())) || configured.some((w) => w.length > 0 && text.includes(w));
}

describe('receiveLikePattern', () => {
  const configs: string[][] = [[], ['receive_text', 'iter_json'], ['pull_frame', 'pull', 'Pull_Frame'], ['PULL', 'next_msg', 'next_msg_or_none', ''], ['getMessage', 'RECV_ALL'], ['KELVIN\u212a', 'ĳ']];
  const texts = [
    '',
    'x = 1\n',
    'await ws.receive_str()',
    'await ws.RECEIVE_BYTES()',
    'msg = sock.Recv(1024)',
    'async for m in conn.iter_msgpack():',
    'from aiohttp import web',
    'class WebSocketHandler: pass',
    'x.pull(1)',
    'x.PULL(1)',
    'x.pull_frame()',
    'x.Pull_Frame()',
    'q.next_msg()',
    'q.next_msg_or_none()',
    'q.getmessage()',
    'q.getMessage()',
    'q.recv_all()',
    'value = KELVINK + KELVIN\u212a',
    'ĳ = 1',
    'Ĳ = 1',
    'ws_connec',
    'ws_connect(url)',
    'it.__ANEXT__()',
    'sanIC',
  ];
  for (const configured of configs) {
    it(`gives the full list's answer with receiveMethods ${JSON.stringify(configured)}`, () => {
      const pattern = receiveLikePattern(configured);
      for (const text of texts) expect([text, pattern.test(text)]).toEqual([text, reference(configured, text)]);
    });
  }
});
