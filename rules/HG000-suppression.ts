import type { FileAnalysis, RuleId, Suppression, Span } from '../src/model.js';
import type { Rule, RuleReport } from '../src/rule.js';

/** The comment's own span when it can be found on its line, else the line's start. */
function suppressionSpan(file: FileAnalysis, suppression: Suppression): Span {
  const text = file.lines[suppression.line - 1] ?? '';
  const at = text.indexOf('handshake-guard:');
  if (at < 0) return { start: { line: suppression.line, column: 1 }, end: { line: suppression.line, column: 1 } };
  // Start at the comment marker (`#` or `//`) just before the directive.
  const marker = text.lastIndexOf(file.language === 'python' ? '#' : '//', at);
  const start = marker >= 0 ? marker : at;
  return { start: { line: suppression.line, column: start + 1 }, end: { line: suppression.line, column: text.length + 1 } };
}

export const rule: Rule = {
  id: 'HG000',
  name: 'suppression',
  summary: 'A suppression comment gives no reason, or suppresses nothing.',
  defaultSeverity: 'warning',
  checkId: 'coverage',
  fixable: false,
  docs: {
    whatItDoes:
      'Reports `handshake-guard: ignore[...]` comments that give no reason after `--` (when the ' +
      'configuration requires one, the default) and comments that suppress no finding — the loop was ' +
      'fixed, moved, or the id is wrong.',
    whyIsThisBad:
      'A suppression is a claim that a loop is safe without a guard. Without a reason the next reader cannot ' +
      'check the claim; a suppression that matches nothing hides the next real finding on that line and ' +
      'makes the coverage figure of the verification table lie.',
    example: {
      python: `from fastapi import WebSocket


async def relay(websocket: WebSocket) -> None:
    while True:  # handshake-guard: ignore[HG001]
        await websocket.send_bytes(await websocket.receive_bytes())
`,
      typescript: `import WebSocket from 'ws';

export function subscribe(ws: WebSocket, symbols: string[]): void {
  // handshake-guard: ignore[HG001]
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`,
    },
    useInstead: {
      python: `from fastapi import WebSocket


async def relay(websocket: WebSocket) -> None:
    # handshake-guard: ignore[HG001] -- only called from on_connect after accept() returned
    while True:
        await websocket.send_bytes(await websocket.receive_bytes())
`,
      typescript: `import WebSocket from 'ws';

export function subscribe(ws: WebSocket, symbols: string[]): void {
  // handshake-guard: ignore[HG001] -- only called from the 'open' listener
  for (const symbol of symbols) ws.send(JSON.stringify({ op: 'subscribe', symbol }));
}
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const file of ctx.files) {
      const comment = file.language === 'python' ? '#' : '//';
      for (const suppression of file.suppressions) {
        const ids = suppression.rules.join(', ');
        const span = suppressionSpan(file, suppression);
        // No rule list: nothing is suppressed (unlike a bare `noqa`, a blanket ignore is not a thing here).
        if (suppression.rules.length === 0) {
          reports.push({ file: file.file, span, message: `suppression names no rule, so it suppresses nothing: ${comment} handshake-guard: ignore[HG001] -- why`, loop: null });
          continue;
        }
        // An unreasoned suppression is not honoured when reasons are required: say why once.
        if (suppression.reason === null && ctx.requireSuppressionReason) {
          reports.push({
            file: file.file,
            span,
            message: `suppression needs a reason: ${comment} handshake-guard: ignore[${ids}] -- why`,
            loop: null,
          });
        } else {
          // What is no rule id suppresses nothing: a rule's name gets its id, anything else the range.
          const known = new Set(ctx.ruleIds?.values() ?? []);
          const isRule = (id: string): boolean => ctx.ruleIds === undefined || known.has(id as RuleId);
          for (const r of suppression.rules.filter((id) => !isRule(id))) {
            const byName = ctx.ruleIds?.get(r.toLowerCase());
            const message = byName
              ? `suppression names a rule by its name, so it suppresses nothing: write its id, ignore[${byName}]`
              : `unknown rule id ${r} in suppression, so it suppresses nothing (rule ids: ${[...known].sort()[0]}–${[...known].sort().pop()})`;
            reports.push({ file: file.file, span, message, loop: null });
          }
          // Each id on its own: `ignore[HG001, HG005]` where only HG001 matched leaves HG005 unused.
          const usedIds = suppression.usedRules ?? (suppression.used ? suppression.rules : []);
          const unused = suppression.rules.filter((r) => !usedIds.includes(r) && isRule(r));
          if (unused.length > 0) reports.push({ file: file.file, span, message: `unused suppression for ${unused.join(', ')}`, loop: null });
        }
      }
    }
    return reports;
  },
};
