import type { Rule, RuleReport } from '../src/rule.js';
import { loopOfIssue, notApplicable } from './support.js';

export const rule: Rule = {
  id: 'HG012',
  name: 'accept-missing',
  summary: 'Cloudflare: the server end of a WebSocketPair is used before accept().',
  defaultSeverity: 'error',
  checkId: 'logic',
  fixable: false,
  docs: {
    whatItDoes:
      'Cloudflare Workers and Durable Objects: reports a use of the server end of a `WebSocketPair` ' +
      '(`server.send`, `server.close`) that no `server.accept()` or ' +
      '`ctx.acceptWebSocket(server)` precedes on every path, and a server end that is never accepted at all; ' +
      'likewise the outbound WebSocket of a `fetch()` Upgrade response (`resp.webSocket`), which needs `accept()` too. ' +
      'The server end is the one the 101 response does not carry (`webSocket: client`), whatever its position in the pair. ' +
      'Listeners (`server.addEventListener`, `removeEventListener`) and attachments (`serializeAttachment`) are not uses: ' +
      'Cloudflare lets a Worker attach them before `accept()` and delivers events from the accept on. ' +
      'A use inside a callback (a listener, a timer) runs later and is not checked against the accept. ' +
      'Python has no equivalent (the Python samples say so).',
    whyIsThisBad:
      'Until the Worker accepts the server end, the runtime neither delivers its events nor lets it send: ' +
      '`send()` throws, listeners never fire, and the client sees a socket that opened and then hangs. ' +
      'The 101 response alone does not accept it.',
    example: {
      python: notApplicable(
        'python',
        'HG012 checks the server end of a Cloudflare Workers\n' +
          '`WebSocketPair`, a TypeScript/JavaScript API. In Starlette/FastAPI, sending before\n' +
          '`await websocket.accept()` raises RuntimeError at once; HG012 does not check that.',
      ),
      typescript: `export default {
  async fetch(request: Request): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair());
    server.send('hello'); // the server end is not accepted yet
    return new Response(null, { status: 101, webSocket: client });
  },
};
`,
    },
    useInstead: {
      python: notApplicable('python', 'see the TypeScript sample.'),
      typescript: `export default {
  async fetch(request: Request): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair());
    server.accept();
    server.send('hello');
    return new Response(null, { status: 101, webSocket: client });
  },
};
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const file of ctx.files) {
      for (const issue of file.issues ?? []) {
        if (issue.ruleId === 'HG012') reports.push({ file: file.file, span: issue.span, message: issue.message, loop: loopOfIssue(ctx.files, ctx.loops, file.file, issue) });
      }
    }
    return reports;
  },
};
