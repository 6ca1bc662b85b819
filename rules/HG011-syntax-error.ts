import type { Rule, RuleReport } from '../src/rule.js';
import { pointSpan } from './support.js';

export const rule: Rule = {
  id: 'HG011',
  name: 'syntax-error',
  summary: 'The file does not parse for its target language version.',
  defaultSeverity: 'error',
  checkId: 'syntax',
  fixable: false,
  docs: {
    whatItDoes:
      'Reports files that do not parse: plain syntax errors (with what CPython rejects though a lenient ' +
      'parser would not: indentation and tab errors, invalid targets, argument order, bad escapes), and ' +
      'Python syntax newer than the file’s target version (from `--python-version`, the config, or the ' +
      'nearest `requires-python`, `.python-version`, `runtime.txt` or Dockerfile) — PEP 701 f-strings, ' +
      '`type` statements and generic parameter lists (3.12), `except*` (3.11), `match` and parenthesised ' +
      'context managers (3.10), the walrus operator and positional-only parameters (3.8). `--python PATH` ' +
      'cross-checks with a real interpreter. TypeScript files are checked with the compiler’s syntactic ' +
      'diagnostics.',
    whyIsThisBad:
      'A module that does not parse on the deployed interpreter fails at import, taking every route in it ' +
      'down — and the other checks cannot see inside it. Version-gated syntax is the treacherous case: it ' +
      'works on a developer’s Python 3.12 and fails on the 3.11 image in production.',
    example: {
      python: `# target: Python 3.11
import logging

from fastapi import WebSocket

logger = logging.getLogger(__name__)


async def on_connect(websocket: WebSocket, user: dict[str, str]) -> None:
    await websocket.accept()
    # reusing the quote inside the replacement field needs Python 3.12 (PEP 701)
    logger.info(f"user {user["id"]} connected on {websocket.url.path}")
`,
      typescript: `import WebSocket from 'ws';

const ws = new WebSocket('wss://feed.example.com/stream';
ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', symbol: 'AAPL' })));
`,
    },
    useInstead: {
      python: `# target: Python 3.11
import logging

from fastapi import WebSocket

logger = logging.getLogger(__name__)


async def on_connect(websocket: WebSocket, user: dict[str, str]) -> None:
    await websocket.accept()
    logger.info("user %s connected on %s", user["id"], websocket.url.path)
`,
      typescript: `import WebSocket from 'ws';

const ws = new WebSocket('wss://feed.example.com/stream');
ws.on('open', () => ws.send(JSON.stringify({ op: 'subscribe', symbol: 'AAPL' })));
`,
    },
  },
  check(ctx) {
    const reports: RuleReport[] = [];
    for (const file of ctx.files) {
      for (const problem of file.syntax) {
        reports.push({ file: file.file, span: pointSpan(problem.position), message: problem.message, loop: null });
      }
    }
    return reports;
  },
};
