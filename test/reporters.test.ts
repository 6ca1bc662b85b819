import { describe, expect, it } from 'vitest';
import type { FileAnalysis, Finding, Fingerprint, Report } from '../src/model.js';
import { renderJson } from '../src/report/json.js';
import { escapeCell, renderMarkdown } from '../src/report/markdown.js';
import { escapeControl } from '../src/report/escape.js';
import { describeFingerprint } from '../src/report/fingerprint-text.js';
import { renderText, type TextInput } from '../src/report/text.js';

const FINGERPRINT: Fingerprint = {
  timeoutSeconds: 3,
  intervalSeconds: 0.01,
  states: ['application_state', 'client_state'],
  clock: 'wall',
  sleep: 'async',
  onTimeout: 'recheck-break',
  logsOnTimeout: true,
  exitsOnTerminalState: false,
  placement: 'per-message',
};

const ODD = 'app/we|rd`name.py';

function report(): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'handshake-guard', version: '0.1.0' },
    target: { pythonVersion: '3.10', source: 'default' },
    summary: { files: 1, loops: 2, guarded: 1, errors: 1, warnings: 1 },
    checks: [
      { id: 'syntax', title: 'Syntax Validation', status: 'pass', details: 'all 1 files parse' },
      { id: 'coverage', title: 'Guard Coverage', status: 'fail', details: `1 of 2 loops guarded; missing: ${ODD}:9 Router.pump` },
      { id: 'breaking', title: 'Breaking Changes', status: 'skip', details: 'not a git repository' },
    ],
    loops: [
      {
        file: ODD,
        line: 4,
        endLine: 6,
        function: 'Router.main',
        language: 'python',
        framework: 'fastapi',
        receive: { line: 6, column: 16, call: 'websocket.receive_text' },
        guard: { kind: 'polling', line: 5, fingerprint: FINGERPRINT },
        status: 'pass',
        confidence: 'high',
      },
      {
        file: ODD,
        line: 8,
        endLine: 9,
        function: 'Router.pump',
        language: 'python',
        framework: 'fastapi',
        receive: { line: 9, column: 16, call: 'websocket.receive_text' },
        guard: { kind: 'none', line: null, fingerprint: null },
        status: 'fail',
        confidence: 'high',
      },
    ],
    findings: [
      {
        ruleId: 'HG001',
        severity: 'error',
        file: ODD,
        line: 9,
        column: 16,
        endLine: 9,
        message: 'receives with no handshake guard',
        fixable: true,
      },
    ],
  };
}

const LINES = [
  'class Router:',
  '    async def main(self, websocket):',
  '        ...',
  '        while True:',
  '            await wait_connected(websocket)',
  '            data = await websocket.receive_text()',
  '',
  '        while True:',
  '\tdata = await websocket.receive_text()',
];

const FILES: FileAnalysis[] = [
  { file: ODD, absPath: `/repo/${ODD}`, language: 'python', skipped: null, syntax: [], loops: [], suppressions: [], lines: LINES },
];

function finding(over: Partial<Finding>): Finding {
  return {
    ruleId: 'HG001',
    severity: 'error',
    file: ODD,
    line: 9,
    column: 9,
    endLine: 9,
    endColumn: 39,
    message: 'receives with no handshake guard (guard: none)',
    fixable: true,
    loop: null,
    suppressed: false,
    ...over,
  };
}

const FINDINGS: Finding[] = [
  finding({}),
  finding({ ruleId: 'HG005', severity: 'warning', line: 5, column: 13, endLine: 5, endColumn: 43, message: 'wall clock', fixable: false }),
  finding({ ruleId: 'HG007', severity: 'warning', line: 6, message: 'suppressed one', suppressed: true }),
];

function text(over: Partial<TextInput> = {}): string {
  return renderText({ report: report(), findings: FINDINGS, files: FILES, color: false, showTable: true, showLoops: false, ...over });
}

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
}

describe('renderJson', () => {
  it('writes 2-space JSON with a final newline, keys in contract order, and round-trips', () => {
    const r = report();
    // The same report with every object's keys reversed and an extra field: the output must not change.
    const scrambled = reverseKeys(r) as Report;
    Object.assign(scrambled.loops[0] ?? {}, { extra: 1 });
    expect(Object.keys(scrambled)[0]).toBe('findings');
    const out = renderJson(scrambled);
    expect(out).toBe(renderJson(r));
    expect(out.endsWith('}\n')).toBe(true);
    expect(out).toContain('\n  "schemaVersion": 1,\n');
    expect(out).not.toContain('extra');
    const parsed = JSON.parse(out) as Report;
    expect(parsed).toEqual(r);
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'tool', 'target', 'summary', 'checks', 'loops', 'findings']);
    expect(Object.keys(parsed.summary)).toEqual(['files', 'loops', 'guarded', 'errors', 'warnings']);
    expect(Object.keys(parsed.loops[0] ?? {})).toEqual([
      'file', 'line', 'endLine', 'function', 'language', 'framework', 'receive', 'guard', 'status', 'confidence',
    ]);
    expect(Object.keys(parsed.loops[0]?.guard ?? {})).toEqual(['kind', 'line', 'fingerprint']);
    expect(Object.keys(parsed.loops[0]?.guard.fingerprint ?? {})).toEqual([
      'timeoutSeconds', 'intervalSeconds', 'states', 'clock', 'sleep', 'onTimeout', 'logsOnTimeout', 'exitsOnTerminalState', 'placement',
    ]);
    expect(Object.keys(parsed.findings[0] ?? {})).toEqual([
      'ruleId', 'severity', 'file', 'line', 'column', 'endLine', 'message', 'fixable',
    ]);
    expect(Object.keys(parsed.checks[0] ?? {})).toEqual(['id', 'title', 'status', 'details']);
  });
});

describe('renderMarkdown', () => {
  it('renders the verification table and the loop inventory', () => {
    const md = renderMarkdown(report());
    expect(md).toContain('| Check | Status | Details |');
    expect(md).toContain('| Syntax Validation | ✅ pass | all 1 files parse |');
    expect(md).toContain('| Breaking Changes | ⏭️ skip | not a git repository |');
    expect(md).toContain('**Gate: ❌ failed**');
    expect(md).toContain(
      '| app/we\\|rd\\`name.py:4 | Router.main | fastapi | polling | 3.0s / 10ms, wall clock, application_state+client_state, on timeout: recheck-break, logs | ✅ pass |',
    );
    expect(md).toContain('| app/we\\|rd\\`name.py:8 | Router.pump | fastapi | none | — | ❌ fail |');
  });

  it('escapes every cell so that no file name can break the table', () => {
    const r = report();
    const evil = 'a|b`c\nd\r\n| x | y |\x1b[31m<img src=x>[link](http://e)\\|';
    r.checks = [{ id: 'syntax', title: 'Syntax Validation', status: 'warn', details: evil }];
    r.loops = [];
    const md = renderMarkdown(r);
    const rows = md.split('\n').filter((l) => l.startsWith('| Syntax'));
    expect(rows).toHaveLength(1);
    const row = rows[0] ?? '';
    // Only the 4 delimiters of a 3-cell row are unescaped pipes.
    expect(row.match(/(?<!\\)\|/g)).toHaveLength(4);
    expect(row).not.toContain('\x1b');
    expect(row).toContain('\\x1b');
    expect(row).not.toMatch(/(?<!\\)[`<[]/);
    expect(escapeCell('a\\|b')).toBe('a\\\\\\|b');
  });
});

describe('renderText', () => {
  it('prints findings with code frames, a summary and the table, without color codes', () => {
    const out = text();
    expect(out).not.toMatch(/\x1b\[/);
    expect(out).toBe(
      [
        `${ODD}:5:13: HG005 [warning] wall clock`,
        '4 |         while True:',
        '5 |             await wait_connected(websocket)',
        '  |             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '',
        `${ODD}:9:9: HG001 [error] receives with no handshake guard (guard: none)`,
        '8 |         while True:',
        '9 | \tdata = await websocket.receive_text()',
        '  | \t       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^',
        '',
        'Found 1 error and 1 warning in 1 file (2 loops, 1 guarded; 1 suppressed).',
        '1 finding fixable with `handshake-guard fix` (a dry run: the diff; --write applies it).',
        '',
        'Syntax Validation  PASS  all 1 files parse',
        `Guard Coverage     FAIL  1 of 2 loops guarded; missing: ${ODD}:9 Router.pump`,
        'Breaking Changes   SKIP  not a git repository',
        '',
        'Gate: FAILED (Guard Coverage: fail)',
        '',
      ].join('\n'),
    );
  });

  it('counts the findings only `fix --upgrade` fixes apart from those `fix` fixes', () => {
    const upgradeable = finding({ ruleId: 'HG005', severity: 'warning', line: 5, column: 13, endLine: 5, endColumn: 43, message: 'wall clock', fixable: true });
    const both = text({ findings: [FINDINGS[0] as Finding, upgradeable] });
    expect(both).toContain('1 finding fixable with `handshake-guard fix`, 1 more with `handshake-guard fix --upgrade` (a dry run: the diff; --write applies it).');
    expect(text({ findings: [upgradeable] })).toContain('\n1 finding fixable with `handshake-guard fix --upgrade` (a dry run: the diff; --write applies it).');
  });

  it('says "no findings", not "no problems", when a row of the table fails without any', () => {
    const none = text({ findings: [] });
    expect(none.startsWith('No findings in 1 file (2 loops, 1 guarded).\n')).toBe(true);
    expect(none).not.toContain('fixable');
    expect(none).toContain('Gate: FAILED (Guard Coverage: fail)');
    expect(text({ findings: [], showTable: false })).toContain('No problems found in 1 file (2 loops, 1 guarded).');
  });

  it('verify --quiet: of the table only the rows that fail the gate, and the gate line', () => {
    expect(text({ gateOnly: true }).split('\n').slice(-5)).toEqual([
      '',
      `Guard Coverage     FAIL  1 of 2 loops guarded; missing: ${ODD}:9 Router.pump`,
      '',
      'Gate: FAILED (Guard Coverage: fail)',
      '',
    ]);
    const passing = report();
    passing.checks = passing.checks.filter((k) => k.status !== 'fail');
    expect(text({ gateOnly: true, report: passing, findings: [] })).toMatch(/\)\.\n\nGate: PASSED\n$/);
  });

  it('clips a long line of the code frame around the column, carets aligned', () => {
    const long = `x = [${Array.from({ length: 400 }, (_, i) => i).join(', ')}]; await ws.receive_text()`;
    const col = long.indexOf('ws.receive_text') + 1;
    const out = renderText({
      report: report(),
      findings: [finding({ line: 2, column: col, endLine: 2, endColumn: col + 'ws.receive_text()'.length })],
      files: [{ ...FILES[0]!, lines: ['a' .repeat(5000), long] }],
      color: false,
      showTable: false,
      showLoops: false,
    });
    const [, prev, line, carets] = out.split('\n');
    expect(prev).toMatch(/^1 \| …a{160}…$/);
    expect(line).toMatch(/^2 \| …[\d, ]+\]; await ws\.receive_text\(\)$/);
    expect(line!.length).toBeLessThanOrEqual(4 + 1 + 160 + 1);
    expect(carets!.indexOf('^')).toBe(line!.indexOf('ws.receive_text'));
    expect(carets!.slice(carets!.indexOf('^'))).toBe('^'.repeat('ws.receive_text()'.length));
  });

  it('colors only when asked to', () => {
    const out = text({ color: true });
    expect(out).toMatch(/\x1b\[3\dm/);
    expect(out.replace(/\x1b\[\d+m/g, '')).toBe(text());
  });

  it('lists loops and says when there is nothing to report', () => {
    const out = text({ findings: [], showTable: false, showLoops: true, cwdLabel: 'backend/' });
    expect(out).toContain('Message loops\n');
    expect(out).toMatch(/app\/we\|rd`name\.py:4 +Router\.main +fastapi +polling +3\.0s \/ 10ms, .* +PASS/);
    expect(out).toMatch(/app\/we\|rd`name\.py:8 +Router\.pump +fastapi +none +- +FAIL/);
    expect(out).toContain('No problems found in 1 file (2 loops, 1 guarded; paths relative to backend/).');
    expect(out).not.toContain('Gate');
  });

  it('escapes terminal control characters in file names, messages and source lines', () => {
    const evil = 'evil\x1b]0;pwned\x07\u202e.py';
    const out = renderText({
      report: report(),
      findings: [finding({ file: evil, line: 2, column: 1, endColumn: 2, message: 'bad\x1b[2Jmessage\nnext' })],
      files: [{ ...FILES[0]!, file: evil, lines: ['ok', 'x\x1b[31my'] }],
      color: false,
      showTable: false,
      showLoops: false,
    });
    expect(out).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f\u202e]/);
    expect(out).toContain('evil\\x1b]0;pwned\\x07\\u202e.py:2:1: HG001 [error] bad\\x1b[2Jmessage\\nnext');
    expect(out).toContain('2 | x\\x1b[31my');
    expect(escapeControl('a\tb')).toBe('a\\tb');
  });
});

describe('describeFingerprint', () => {
  it('summarises the polling guard in one line', () => {
    expect(describeFingerprint(FINGERPRINT)).toBe(
      '3.0s / 10ms, wall clock, application_state+client_state, on timeout: recheck-break, logs',
    );
    expect(
      describeFingerprint({ ...FINGERPRINT, timeoutSeconds: 2.5, intervalSeconds: null, clock: 'monotonic', sleep: 'blocking', logsOnTimeout: false, exitsOnTerminalState: true, placement: 'before-loop' }),
    ).toBe('2.5s / ?, monotonic clock, application_state+client_state, on timeout: recheck-break, silent, blocking sleep, exits on disconnect, before loop');
  });
});
