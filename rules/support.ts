// Small helpers shared by the rule modules: where to report and how to word it.
// Nothing here re-analyses code; everything comes from the loop model.

import type { FileAnalysis, Fingerprint, FrontEndIssue, MessageLoop, Position, Span } from '../src/model.js';
import type { RuleReport } from '../src/rule.js';

/** A zero-width span at the loop's first position (HG001's report location). */
export function loopStart(loop: MessageLoop): Span {
  return { start: loop.span.start, end: loop.span.start };
}

/** The guard's span; only `none` guards may lack one, so fall back to the loop's first line. */
export function guardSpan(loop: MessageLoop): Span {
  return loop.guard.span ?? loopStart(loop);
}

/** The line a guard is reported on, for messages. */
export function guardLine(loop: MessageLoop): number {
  return guardSpan(loop).start.line;
}

export function pointSpan(position: Position, width = 0): Span {
  return { start: position, end: { line: position.line, column: position.column + width } };
}

/** Loops the rules look at: framework-guaranteed loops are never findings. */
export function checkedLoops(loops: readonly MessageLoop[]): MessageLoop[] {
  return loops.filter((loop) => loop.guard.kind !== 'framework');
}

const issuesByFile = new WeakMap<readonly FileAnalysis[], Map<string, FrontEndIssue[]>>();

/** A file's HG012/HG013 issues (one index per run's file list). */
function platformIssues(files: readonly FileAnalysis[], file: string): FrontEndIssue[] {
  let index = issuesByFile.get(files);
  if (!index) {
    index = new Map();
    for (const f of files) {
      const list = (f.issues ?? []).filter((i) => i.ruleId === 'HG012' || i.ruleId === 'HG013');
      if (list.length) index.set(f.file, list);
    }
    issuesByFile.set(files, index);
  }
  return index.get(file) ?? [];
}

const startsAt = (s: Span | null, i: FrontEndIssue): boolean => s !== null && s.start.line === i.span.start.line && s.start.column === i.span.start.column;

/**
 * The HG012/HG013 issue (SPEC §3b) that is this loop's failure: at its send (a Cloudflare server
 * end not accepted yet, a Deno socket before the upgrade response), or at the wait its guard is
 * (Deno: a wait for open there deadlocks). One problem, one finding: that rule reports it, and
 * HG001/HG003 leave the loop to it.
 */
export function platformFailure(files: readonly FileAnalysis[], loop: MessageLoop): FrontEndIssue | null {
  if (loop.language === 'python') return null;
  return platformIssues(files, loop.file).find((i) => startsAt(loop.receive.span, i) || startsAt(loop.guard.parts.unboundedWait, i) || startsAt(loop.guard.span, i)) ?? null;
}

const within = (outer: Span, inner: Span): boolean =>
  (outer.start.line < inner.start.line || (outer.start.line === inner.start.line && outer.start.column <= inner.start.column)) &&
  (inner.end.line < outer.end.line || (inner.end.line === outer.end.line && inner.end.column <= outer.end.column));

/**
 * The loop an HG012/HG013 issue fails (its status, the coverage row): the loop it is the failure
 * of (`platformFailure`), else the innermost loop around it; null for an issue outside loops.
 */
export function loopOfIssue(files: readonly FileAnalysis[], loops: readonly MessageLoop[], file: string, issue: FrontEndIssue): MessageLoop | null {
  const mine = loops.filter((l) => l.file === file);
  const own = mine.find((l) => platformFailure(files, l) === issue);
  if (own) return own;
  let best: MessageLoop | null = null;
  for (const l of mine) if (within(l.span, issue.span) && (!best || within(best.span, l.span))) best = l;
  return best;
}

/** The fingerprint of a polling guard, or null when the loop has none to judge. */
export function pollingFingerprint(loop: MessageLoop): Fingerprint | null {
  if (loop.guard.kind !== 'polling') return null;
  return loop.guard.fingerprint;
}

export function report(loop: MessageLoop, span: Span, message: string): RuleReport {
  return { file: loop.file, span, message, loop };
}

/** `3`, `0.01`, `2.5` — no trailing zeros, no float noise such as 0.30000000000000004. */
export function formatNumber(value: number): string {
  return String(Number(value.toPrecision(12)));
}

export function formatSeconds(value: number | null): string {
  return value === null ? 'an unknown bound' : `${formatNumber(value)} s`;
}

export function isPython(loop: MessageLoop): boolean {
  return loop.language === 'python';
}

// The good examples several rules share in their docs' `useInstead` (one text, one place).

export const GUARDED_LOOP_PY = `import asyncio
import logging
import time

from fastapi import WebSocket
from starlette.websockets import WebSocketState

logger = logging.getLogger(__name__)


async def message_loop(websocket: WebSocket) -> None:
    while True:
        start = time.monotonic()
        while time.monotonic() - start < 3.0:
            if websocket.application_state == WebSocketState.CONNECTED:
                break
            if websocket.application_state == WebSocketState.DISCONNECTED:
                return
            await asyncio.sleep(0.01)
        else:
            logger.warning("WebSocket handshake not complete after 3.0 s")
            break
        await websocket.send_text(await websocket.receive_text())
`;

export const GUARDED_LOOP_TS = `import WebSocket from 'ws';

export async function subscribe(url: string, symbols: string[]): Promise<void> {
  const ws = new WebSocket(url);
  const start = performance.now();
  while (ws.readyState === WebSocket.CONNECTING && performance.now() - start < 3000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  if (ws.readyState !== WebSocket.OPEN) {
    console.warn(\`websocket not open after 3000 ms (readyState \${ws.readyState})\`);
    ws.terminate();
    return;
  }
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`;

export const GUARDED_SEND_TS = `import { once } from 'node:events';
import WebSocket from 'ws';

const ws = new WebSocket('wss://feed.example.com/stream');
try {
  await once(ws, 'open', { signal: AbortSignal.timeout(3000) });
} catch (err) {
  console.warn('websocket not open after 3000 ms', err);
  ws.terminate();
  throw err;
}
for (const symbol of ['AAPL', 'MSFT']) {
  ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`;

// A rule that cannot apply to one of the two languages (HG012/HG013 are about TS/JS platform APIs)
// still has both samples, so that `explain`, SARIF and the docs keep one shape; that language's
// samples are comments only, starting with this marker and saying why.

/** Matches the first line of a "not applicable" sample (see `notApplicable`). */
export const NOT_APPLICABLE = /^(?:#|\/\/) Not applicable to (?:Python|TypeScript\/JavaScript):/;

/** A comment-only sample for a language the rule does not apply to: the marker, then the reason. */
export function notApplicable(language: 'python' | 'typescript', reason: string): string {
  const prefix = language === 'python' ? '# ' : '// ';
  const name = language === 'python' ? 'Python' : 'TypeScript/JavaScript';
  return `${prefix}Not applicable to ${name}: ${reason}`.replace(/\n/g, `\n${prefix}`) + '\n';
}
