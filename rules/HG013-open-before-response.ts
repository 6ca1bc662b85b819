import type { Rule, RuleReport } from '../src/rule.js';
import { loopOfIssue, notApplicable } from './support.js';

export const rule: Rule = {
  id: 'HG013',
  name: 'open-before-response',
  summary: 'Deno: the upgrade handler waits for open (or sends) before returning the response.',
  defaultSeverity: 'error',
  checkId: 'logic',
  fixable: false,
  docs: {
    whatItDoes:
      'Deno: reports, inside the function that calls `Deno.upgradeWebSocket(req)`, an `await` that waits for ' +
      'the socket to open (`once(socket, \'open\')`, a promise on `socket.onopen`, a `waitForOpen(socket)` ' +
      'helper) or a `socket.send(…)`, before the handler returns the upgrade `response`. ' +
      'Python has no equivalent (the Python samples say so).',
    whyIsThisBad:
      'Deno completes the WebSocket handshake only when the handler returns `response`; until then the socket ' +
      "is CONNECTING. Waiting for `open` there waits for something that can only happen after the wait: a " +
      "deadlock, and the request hangs. Sending throws `'readyState' not OPEN`.",
    example: {
      python: notApplicable(
        'python',
        'HG013 checks handlers that call `Deno.upgradeWebSocket`,\n' +
          'a Deno (TypeScript/JavaScript) API. In Starlette/FastAPI the handler completes the\n' +
          'handshake itself, with `await websocket.accept()`.',
      ),
      typescript: `export async function handler(req: Request): Promise<Response> {
  const { socket, response } = Deno.upgradeWebSocket(req);
  await new Promise((resolve) => (socket.onopen = resolve)); // never: open needs the response
  socket.send('welcome');
  return response;
}
`,
    },
    useInstead: {
      python: notApplicable('python', 'see the TypeScript sample.'),
      typescript: `export function handler(req: Request): Response {
  const { socket, response } = Deno.upgradeWebSocket(req);
  socket.onopen = () => socket.send('welcome');
  return response;
}
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const file of ctx.files) {
      for (const issue of file.issues ?? []) {
        if (issue.ruleId === 'HG013') reports.push({ file: file.file, span: issue.span, message: issue.message, loop: loopOfIssue(ctx.files, ctx.loops, file.file, issue) });
      }
    }
    return reports;
  },
};
