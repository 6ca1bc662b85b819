// Receives the configuration names (`receiveMethods`, SPEC §10): `ws.nextMessage()` or
// `nextMessage(ws, …)`. A loop that receives this way is a message loop, and a send after an
// awaited receive on the same socket runs on an open socket, as after `once(ws, 'message')`.
import type { TsNode } from './compiler.js';
import type { TsModule } from './module.js';

/** The socket expression of a configured receive call, or null when the call is none. */
export function configuredReceive(m: TsModule, call: TsNode): TsNode | null {
  const ts = m.ts;
  const names = m.project.names.receiveMethods;
  if (names.length === 0 || !ts.isCallExpression(call)) return null;
  const callee = call.expression;
  if (ts.isPropertyAccessExpression(callee) && names.includes(callee.name.text)) {
    // `ws.nextMessage()`; `helpers.nextMessage(ws)` names the socket as its argument.
    const first = call.arguments[0];
    return first !== undefined && !isSocketLikeReceiver(m, callee.expression) ? first : callee.expression;
  }
  if (ts.isIdentifier(callee) && names.includes(callee.text)) return call.arguments[0] ?? null;
  return null;
}

/** Whether a receiver is more likely the socket than a namespace of helpers (an import binding). */
function isSocketLikeReceiver(m: TsModule, e: TsNode): boolean {
  return !(m.ts.isIdentifier(e) && m.imports.has(e.text));
}
