// The Parameters row names the polling guards whose bounds are not constants: the first few, then
// how many more (a detail stays one line however many there are).
import { describe, expect, it } from 'vitest';
import { checkParameters } from '../src/checks/parameters.js';
import { loadConfig } from '../src/config/load.js';
import { DEFAULT_PYTHON_TARGET } from '../src/languages/python/target-version.js';
import type { MessageLoop, Span } from '../src/model.js';
import { tempTree } from './helpers/cli.js';

const at = (line: number): Span => ({ start: { line, column: 0 }, end: { line, column: 10 } });

/** A loop behind a polling guard whose timeout is not a constant. */
function unknownBound(line: number): MessageLoop {
  return {
    file: 'app/ws.py',
    language: 'python',
    framework: 'fastapi',
    function: `ep${line}`,
    span: at(line + 4),
    text: 'while True:',
    receive: { span: at(line + 5), call: 'websocket.receive_text', connection: 'websocket', via: null },
    guard: {
      kind: 'polling',
      span: at(line),
      fingerprint: { timeoutSeconds: null, intervalSeconds: 0.1, states: ['CONNECTED'], clock: 'monotonic', sleep: 'async', onTimeout: 'return', logsOnTimeout: false, exitsOnTerminalState: false, placement: 'before-loop' },
      summary: 'poll',
      helper: null,
      frameworkReason: null,
      parts: { sleepCall: null, clockCall: null, timeout: null, interval: null, unboundedWait: null },
      unboundNames: [],
    },
    confidence: 'high',
    inAsyncFunction: true,
  };
}

describe('Parameters row', () => {
  it('lists the first guards whose bounds are not constants, then a count', async () => {
    const config = await loadConfig({ cwd: tempTree({}) });
    const loops = Array.from({ length: 9 }, (_, i) => unknownBound(10 * (i + 1)));
    const row = checkParameters({ files: [], loops, findings: [], config, target: DEFAULT_PYTHON_TARGET, disabled: new Set(), unguarded: new Set() });
    expect(row.status).toBe('warn');
    expect(row.details).toMatch(/; not constant, not checked: app\/ws\.py:10, app\/ws\.py:20, app\/ws\.py:30, app\/ws\.py:40, app\/ws\.py:50, app\/ws\.py:60, and 3 more$/);
  });
});
