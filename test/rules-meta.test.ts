import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ALL_RULES, findRule } from '../rules/index.js';
import { NOT_APPLICABLE } from '../rules/support.js';
import { DEFAULT_BOUNDS } from '../src/config/types.js';
import { loadParser, parseTolerant, withPythonTree } from '../src/languages/python/parser.js';
import type {
  FileAnalysis,
  Fingerprint,
  GuardKind,
  GuardParts,
  MessageLoop,
  NameUse,
  RuleId,
  Span,
  Suppression,
} from '../src/model.js';
import { renderExplain } from '../src/report/explain.js';
import type { Rule, RuleContext, RuleReport } from '../src/rule.js';

// ---- builders for hand-made loop models ------------------------------------------------

function span(line: number, column = 1, endLine = line, endColumn = column): Span {
  return { start: { line, column }, end: { line: endLine, column: endColumn } };
}

function fingerprint(over: Partial<Fingerprint> = {}): Fingerprint {
  return {
    timeoutSeconds: 3,
    intervalSeconds: 0.01,
    states: ['application_state'],
    clock: 'monotonic',
    sleep: 'async',
    onTimeout: 'break',
    logsOnTimeout: true,
    exitsOnTerminalState: true,
    placement: 'per-message',
    ...over,
  };
}

interface LoopOptions {
  file?: string;
  fn?: string;
  line?: number;
  kind?: GuardKind;
  /** The guard's first line; defaults to the line after the loop's. */
  guardLine?: number | null;
  fp?: Partial<Fingerprint> | null;
  parts?: Partial<GuardParts>;
  unbound?: NameUse[];
  summary?: string;
  receiveLine?: number;
  call?: string;
  via?: string | null;
  inAsync?: boolean;
  language?: MessageLoop['language'];
}

function loop(options: LoopOptions = {}): MessageLoop {
  const line = options.line ?? 10;
  const kind = options.kind ?? 'polling';
  const guardLine = options.guardLine === undefined ? (kind === 'none' ? null : line + 1) : options.guardLine;
  const fp =
    options.fp === null ? null : kind === 'polling' || options.fp !== undefined ? fingerprint(options.fp ?? {}) : null;
  return {
    file: options.file ?? 'app/routes.py',
    language: options.language ?? 'python',
    framework: kind === 'framework' ? 'websockets' : 'fastapi',
    function: options.fn ?? 'Router._main_message_loop',
    span: span(line, 9, line + 20, 1),
    text: 'while True:',
    receive: {
      span: span(options.receiveLine ?? line + 12, 23),
      call: options.call ?? 'websocket.receive_text',
      connection: 'websocket',
      via: options.via ?? null,
    },
    guard: {
      kind,
      span: guardLine === null ? null : span(guardLine, 13, guardLine, 60),
      fingerprint: fp,
      summary: options.summary ?? 'while time.monotonic() - start < 3.0: …',
      helper: null,
      frameworkReason: kind === 'framework' ? 'websockets handler' : null,
      parts: { sleepCall: null, clockCall: null, timeout: null, interval: null, unboundedWait: null, ...options.parts },
      unboundNames: options.unbound ?? [],
    },
    confidence: 'high',
    inAsyncFunction: options.inAsync ?? true,
  };
}

function fileAnalysis(file: string, over: Partial<FileAnalysis> = {}): FileAnalysis {
  return {
    file,
    absPath: `/repo/${file}`,
    language: 'python',
    skipped: null,
    syntax: [],
    loops: [],
    suppressions: [],
    lines: [],
    ...over,
  };
}

function context(loops: MessageLoop[], over: Partial<RuleContext> = {}): RuleContext {
  const byFile = new Map<string, MessageLoop[]>();
  for (const l of loops) byFile.set(l.file, [...(byFile.get(l.file) ?? []), l]);
  return {
    files: [...byFile.keys()].map((file) => fileAnalysis(file, { loops: byFile.get(file) ?? [] })),
    loops,
    groups: [...byFile.entries()].map(([name, members]) => ({ name, loops: members })),
    require: 'polling',
    bounds: DEFAULT_BOUNDS,
    requireSuppressionReason: true,
    ...over,
  };
}

function rule(id: RuleId): Rule {
  const found = findRule(id);
  if (!found) throw new Error(`no rule ${id}`);
  return found;
}

function run(id: RuleId, ctx: RuleContext): RuleReport[] {
  return rule(id).check(ctx);
}

function lines(reports: RuleReport[]): number[] {
  return reports.map((r) => r.span.start.line);
}

// ---- metadata --------------------------------------------------------------------------

const EXPECTED_META: Record<RuleId, { name: string; severity: 'error' | 'warning'; checkId: string; fixable: boolean }> = {
  HG000: { name: 'suppression', severity: 'warning', checkId: 'coverage', fixable: false },
  HG001: { name: 'receive-before-guard', severity: 'error', checkId: 'coverage', fixable: true },
  HG002: { name: 'guard-mismatch', severity: 'error', checkId: 'consistency', fixable: true },
  HG003: { name: 'unbounded-wait', severity: 'error', checkId: 'coverage', fixable: true },
  HG004: { name: 'blocking-sleep', severity: 'error', checkId: 'logic', fixable: false },
  HG005: { name: 'wall-clock-deadline', severity: 'warning', checkId: 'logic', fixable: true },
  HG006: { name: 'no-fallback', severity: 'error', checkId: 'logic', fixable: true },
  HG007: { name: 'silent-timeout', severity: 'warning', checkId: 'logic', fixable: true },
  HG008: { name: 'parameter-out-of-range', severity: 'warning', checkId: 'parameters', fixable: false },
  HG009: { name: 'waits-on-terminal-state', severity: 'warning', checkId: 'logic', fixable: true },
  HG010: { name: 'unresolved-name', severity: 'error', checkId: 'imports', fixable: false },
  HG011: { name: 'syntax-error', severity: 'error', checkId: 'syntax', fixable: false },
  HG012: { name: 'accept-missing', severity: 'error', checkId: 'logic', fixable: false },
  HG013: { name: 'open-before-response', severity: 'error', checkId: 'logic', fixable: false },
};

/** Rules about TS/JS platforms only: their cases live in fixtures/typescript (test/typescript-fixtures.test.ts). */
const TS_ONLY = new Set<RuleId>(['HG012', 'HG013']);

describe('rule metadata', () => {
  it('lists every rule once, in id order', () => {
    const ids = ALL_RULES.map((r) => r.id);
    expect(ids).toEqual(Object.keys(EXPECTED_META));
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ALL_RULES.map((r) => r.name)).size).toBe(ALL_RULES.length);
  });

  it.each(ALL_RULES.map((r) => [r.id, r] as const))('%s has the documented meta', (id, r) => {
    const meta = EXPECTED_META[id];
    expect(r.name).toBe(meta.name);
    expect(r.name).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    expect(r.defaultSeverity).toBe(meta.severity);
    expect(r.checkId).toBe(meta.checkId);
    expect(r.fixable).toBe(meta.fixable);
    expect(r.summary.trim()).not.toBe('');
  });

  it.each(ALL_RULES.map((r) => [r.id, r] as const))('%s has the four doc sections with both languages', (id, r) => {
    expect(r.docs.whatItDoes.trim().length).toBeGreaterThan(40);
    expect(r.docs.whyIsThisBad.trim().length).toBeGreaterThan(40);
    // A language the rule cannot apply to (only the TS-only rules' Python) keeps both sections, as
    // comments only that start with the "Not applicable" marker and say why.
    const pythonApplies = !TS_ONLY.has(id);
    for (const section of [r.docs.example, r.docs.useInstead]) {
      if (pythonApplies) {
        // Python samples are modules (imports, defs); TypeScript samples use `ws` or ESM syntax.
        expect(section.python).toMatch(/^(import |from |# |async def |def )/m);
        expect(section.python).toMatch(/\bdef\b/);
        expect(section.python).not.toMatch(NOT_APPLICABLE);
      } else {
        expect(section.python).toMatch(NOT_APPLICABLE);
        expect(section.python.trimEnd().split('\n').every((line) => line.startsWith('# '))).toBe(true);
      }
      expect(section.typescript).toMatch(/^(import |export |const )/m);
      expect(section.typescript).not.toMatch(/\bdef\b/);
      expect(section.typescript).not.toMatch(NOT_APPLICABLE);
    }
    expect(r.docs.example.python).not.toBe(r.docs.useInstead.python);
    expect(r.docs.example.typescript).not.toBe(r.docs.useInstead.typescript);
  });

  it.each(ALL_RULES.filter((r) => r.id !== 'HG011').map((r) => [r.id, r] as const))(
    '%s Python samples parse',
    async (_id, r) => {
      for (const code of [r.docs.example.python, r.docs.useInstead.python]) {
        expect(await withPythonTree(code, (tree) => tree.rootNode.hasError)).toBe(false);
      }
    },
  );
});

describe('findRule', () => {
  it('finds by id and by name, case-insensitively', () => {
    expect(findRule('HG004')?.name).toBe('blocking-sleep');
    expect(findRule('hg004')?.id).toBe('HG004');
    expect(findRule('blocking-sleep')?.id).toBe('HG004');
    expect(findRule('Receive-Before-Guard')?.id).toBe('HG001');
    expect(findRule(' HG000 ')?.id).toBe('HG000');
  });

  it('returns undefined for unknown rules', () => {
    expect(findRule('HG999')).toBeUndefined();
    expect(findRule('blocking')).toBeUndefined();
    expect(findRule('')).toBeUndefined();
  });
});

describe('renderExplain', () => {
  it('prints the header, the summary and the four sections with both languages', () => {
    const text = renderExplain(rule('HG004'), false);
    expect(text.split('\n')[0]).toBe('HG004 (blocking-sleep) — error, fixable: no, check: Logic Validation');
    expect(text).toContain(rule('HG004').summary);
    const headings = ['## What it does', '## Why is this bad?', '## Example', '## Use instead'];
    const positions = headings.map((h) => text.indexOf(h));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    const example = text.slice(positions[2], positions[3]);
    expect(example.indexOf('```python')).toBeGreaterThan(-1);
    expect(example.indexOf('```typescript')).toBeGreaterThan(example.indexOf('```python'));
  });

  it.each(ALL_RULES.map((r) => [r.id, r] as const))('%s renders without ANSI escapes when color is off', (_id, r) => {
    const text = renderExplain(r, false);
    for (const heading of ['## What it does', '## Why is this bad?', '## Example', '## Use instead']) {
      expect(text).toContain(heading);
    }
    expect(text).not.toContain('\u001b[');
  });

  it('bolds headings when color is on', () => {
    const text = renderExplain(rule('HG001'), true);
    expect(text).toContain('\u001b[1m## What it does');
    expect(renderExplain(rule('HG001'), false).split('\n')[0]).toBe(
      'HG001 (receive-before-guard) — error, fixable: yes, check: Guard Coverage',
    );
  });
});

// ---- checks on hand-built models -------------------------------------------------------

describe('framework loops', () => {
  it('are never reported by any loop rule', () => {
    const bad = loop({
      kind: 'framework',
      fp: { clock: 'wall', sleep: 'blocking', onTimeout: 'none', logsOnTimeout: false, exitsOnTerminalState: false, timeoutSeconds: 60 },
      unbound: [{ name: 'WebSocketState', position: { line: 12, column: 20 } }],
    });
    for (const r of ALL_RULES) expect(r.check(context([bad, { ...bad, function: 'other' }]))).toEqual([]);
  });
});

describe('HG001 receive-before-guard', () => {
  it('reports a weak check under the polling policy at the loop start, naming receive and guard', () => {
    const l = loop({
      fn: 'Router._isolated_message_loop',
      line: 110,
      kind: 'check',
      receiveLine: 120,
      summary: 'if not is_ready(websocket): break',
    });
    const [r, ...rest] = run('HG001', context([l]));
    expect(rest).toEqual([]);
    expect(r?.message).toBe(
      'message loop in Router._isolated_message_loop receives (websocket.receive_text, line 120) with only a weak single-shot check (`if not is_ready(websocket): break`); a bounded polling guard is required',
    );
    expect(r?.span).toEqual({ start: l.span.start, end: l.span.start });
    expect(r?.loop).toBe(l);
    expect(r?.file).toBe('app/routes.py');
  });

  it('reports a loop with no guard, and names the function the receive goes through', () => {
    const l = loop({ kind: 'none', via: 'Router._next_event', call: 'websocket.receive_json', receiveLine: 30 });
    const [r] = run('HG001', context([l]));
    expect(r?.message).toContain('receives (websocket.receive_json via Router._next_event, line 30) with no handshake guard');
    expect(r?.span.start).toEqual({ line: 10, column: 9 });
  });

  it('accepts a check under require=check, and polling/unbounded guards under either policy', () => {
    const check = loop({ kind: 'check' });
    expect(run('HG001', context([check], { require: 'check' }))).toEqual([]);
    expect(lines(run('HG001', context([loop({ kind: 'none' })], { require: 'check' })))).toEqual([10]);
    expect(run('HG001', context([loop({ kind: 'polling' }), loop({ kind: 'unbounded', fp: null })]))).toEqual([]);
  });
});

describe('HG002 guard-mismatch', () => {
  it('takes the first loop as reference on a tie and lists every loop’s value', () => {
    const main = loop({ fn: 'Router._main_message_loop', line: 39, guardLine: 40 });
    const factory = loop({ fn: 'Router._factory_message_loop', line: 89, guardLine: 90, fp: { timeoutSeconds: 5 } });
    const reports = run('HG002', context([main, factory]));
    expect(reports).toHaveLength(1);
    expect(reports[0]?.loop).toBe(factory);
    expect(reports[0]?.span).toEqual(factory.guard.span);
    expect(reports[0]?.message).toBe(
      'polling guard differs from Router._main_message_loop (line 40): timeoutSeconds: 3 (line 40 Router._main_message_loop), 5 (line 90 Router._factory_message_loop)',
    );
  });

  it('takes the most common fingerprint as reference even when it is not first', () => {
    const odd = loop({ fn: 'R.a', line: 9, guardLine: 10, fp: { timeoutSeconds: 5, clock: 'wall' } });
    const b = loop({ fn: 'R.b', line: 39, guardLine: 40 });
    const c = loop({ fn: 'R.c', line: 89, guardLine: 90 });
    const reports = run('HG002', context([odd, b, c]));
    expect(reports.map((r) => r.loop?.function)).toEqual(['R.a']);
    expect(reports[0]?.message).toBe(
      'polling guard differs from R.b (line 40): timeoutSeconds: 3 (line 40 R.b, line 90 R.c), 5 (line 10 R.a); clock: monotonic (line 40 R.b, line 90 R.c), wall (line 10 R.a)',
    );
  });

  it('ignores placement, state order, non-polling loops and single-loop groups', () => {
    const a = loop({ fn: 'a', fp: { states: ['application_state', 'client_state'] } });
    const b = loop({ fn: 'b', line: 50, fp: { states: ['client_state', 'application_state'], placement: 'before-loop' } });
    const check = loop({ fn: 'c', line: 90, kind: 'check' });
    expect(run('HG002', context([a, b, check]))).toEqual([]);
    expect(run('HG002', context([loop({ fp: { timeoutSeconds: 9 } })]))).toEqual([]);
  });

  it('compares within groups only and names other files in repository groups', () => {
    const a = loop({ file: 'a.py', fn: 'a', guardLine: 5 });
    const b = loop({ file: 'b.py', fn: 'b', guardLine: 7, fp: { intervalSeconds: 0.05 } });
    expect(run('HG002', context([a, b]))).toEqual([]);
    const repo = context([a, b], { groups: [{ name: 'repository', loops: [a, b] }] });
    const [r] = run('HG002', repo);
    expect(r?.file).toBe('b.py');
    expect(r?.message).toBe(
      'polling guard differs from a (a.py:5): intervalSeconds: 0.01 (a.py:5 a), 0.05 (line 7 b)',
    );
  });
});

describe('HG003 unbounded-wait', () => {
  it('reports at the unbounded wait, else at the guard', () => {
    const withPart = loop({ kind: 'unbounded', fp: null, parts: { unboundedWait: span(14, 17) } });
    const withoutPart = loop({ kind: 'unbounded', fp: null, line: 40 });
    expect(lines(run('HG003', context([withPart, withoutPart])))).toEqual([14, 41]);
    expect(run('HG003', context([loop(), loop({ kind: 'check' }), loop({ kind: 'none' })]))).toEqual([]);
  });
});

describe('HG004 blocking-sleep', () => {
  it('reports a blocking sleep in an async function at the sleep call', () => {
    const l = loop({ fp: { sleep: 'blocking' }, parts: { sleepCall: span(17, 17) } });
    expect(lines(run('HG004', context([l])))).toEqual([17]);
    expect(lines(run('HG004', context([loop({ fp: { sleep: 'blocking' } })])))).toEqual([11]);
    expect(run('HG004', context([loop({ fp: { sleep: 'blocking' }, inAsync: false })]))).toEqual([]);
    expect(run('HG004', context([loop({ fp: { sleep: 'async' } })]))).toEqual([]);
  });
});

describe('HG005 wall-clock-deadline', () => {
  it('reports a wall clock at the clock call', () => {
    expect(lines(run('HG005', context([loop({ fp: { clock: 'wall' }, parts: { clockCall: span(12, 19) } })])))).toEqual([12]);
    expect(run('HG005', context([loop({ fp: { clock: 'monotonic' } }), loop({ fp: { clock: 'loop' } })]))).toEqual([]);
    const ts = run('HG005', context([loop({ language: 'typescript', fp: { clock: 'wall' } })]));
    expect(ts[0]?.message).toContain('performance.now()');
  });
});

describe('HG006, HG007, HG009 at the guard', () => {
  it('HG006 reports onTimeout none', () => {
    expect(lines(run('HG006', context([loop({ fp: { onTimeout: 'none' } })])))).toEqual([11]);
    // A TS/JS loop sends: the message says what the loop does.
    expect(run('HG006', context([loop({ fp: { onTimeout: 'none' } })]))[0]?.message).toContain('so the loop receives on a connection');
    expect(run('HG006', context([loop({ language: 'typescript', fp: { onTimeout: 'none' } })]))[0]?.message).toContain('so the loop sends on a connection');
    for (const onTimeout of ['recheck-break', 'break', 'return', 'raise', 'continue'] as const) {
      expect(run('HG006', context([loop({ fp: { onTimeout } })]))).toEqual([]);
    }
  });

  it('HG007 reports a silent timeout path', () => {
    expect(lines(run('HG007', context([loop({ fp: { logsOnTimeout: false } })])))).toEqual([11]);
    expect(run('HG007', context([loop()]))).toEqual([]);
  });

  it('HG009 reports a guard that waits on DISCONNECTED', () => {
    const [r] = run('HG009', context([loop({ fp: { exitsOnTerminalState: false, states: ['application_state', 'client_state'] } })]));
    expect(r?.span.start.line).toBe(11);
    expect(r?.message).toContain('DISCONNECTED');
    expect(r?.message).toContain('application_state, client_state');
    expect(run('HG009', context([loop()]))).toEqual([]);
  });

  it('fall back to the loop start when a guard has no span', () => {
    expect(lines(run('HG006', context([loop({ guardLine: null, fp: { onTimeout: 'none' } })])))).toEqual([10]);
  });
});

describe('HG008 parameter-out-of-range', () => {
  const parts = { timeout: span(21, 40), interval: span(25, 31) };

  it('reports a long timeout at the timeout, with the polls it implies', () => {
    const reports = run('HG008', context([loop({ fp: { timeoutSeconds: 30 }, parts })]));
    expect(lines(reports)).toEqual([21, 21]);
    expect(reports[0]?.message).toBe(
      'handshake guard of Router._main_message_loop has timeout 30 s, outside the allowed 0.1–10 s',
    );
    expect(reports[1]?.message).toContain('polls up to 3000 times per wait');
    expect(reports[1]?.message).toContain('more than the allowed 1000');
  });

  it('reports intervals outside the range at the interval', () => {
    const slow = run('HG008', context([loop({ fp: { intervalSeconds: 2 }, parts })]));
    expect(lines(slow)).toEqual([25]);
    expect(slow[0]?.message).toContain('interval 2 s, outside the allowed 0.001–0.5 s');
    const busy = run('HG008', context([loop({ fp: { timeoutSeconds: 0.1, intervalSeconds: 0.0005 }, parts })]));
    expect(lines(busy)).toEqual([25]);
  });

  it('reports too many polls at the timeout, and falls back to the guard', () => {
    expect(lines(run('HG008', context([loop({ fp: { timeoutSeconds: 10, intervalSeconds: 0.001 }, parts })])))).toEqual([21]);
    expect(lines(run('HG008', context([loop({ fp: { timeoutSeconds: 0.05 } })])))).toEqual([11]);
  });

  it('accepts inclusive bounds despite floating point, and unknown values', () => {
    const ok = [
      loop({ fp: { timeoutSeconds: 10, intervalSeconds: 0.01 } }),
      loop({ fp: { timeoutSeconds: 0.1, intervalSeconds: 0.001 } }),
      loop({ fp: { timeoutSeconds: 5.5, intervalSeconds: 0.0055 } }), // 1000.0000000000001 in floating point
      loop({ fp: { timeoutSeconds: 7, intervalSeconds: 0.007 } }),
      loop({ fp: { timeoutSeconds: null, intervalSeconds: null } }),
    ];
    expect(run('HG008', context(ok))).toEqual([]);
  });

  it('uses the configured bounds', () => {
    const bounds = { timeoutSeconds: { min: 1, max: 60 }, intervalSeconds: { min: 0.01, max: 1 }, maxPolls: 100 };
    const reports = run('HG008', context([loop({ fp: { timeoutSeconds: 30, intervalSeconds: 0.5 }, parts })], { bounds }));
    expect(reports).toEqual([]);
    const polls = run('HG008', context([loop({ fp: { timeoutSeconds: 30, intervalSeconds: 0.1 }, parts })], { bounds }));
    expect(polls.map((r) => r.message)).toEqual([
      'handshake guard of Router._main_message_loop polls up to 300 times per wait (timeout 30 s / interval 0.1 s), more than the allowed 100',
    ]);
  });
});

describe('HG010 unresolved-name', () => {
  it('reports each unbound name use once, however many loops share it', () => {
    const shared: NameUse = { name: 'WebSocketState', position: { line: 8, column: 36 } };
    const a = loop({ fn: 'a', kind: 'check', unbound: [shared] });
    const b = loop({ fn: 'b', kind: 'check', unbound: [shared, { name: 'logger', position: { line: 30, column: 5 } }] });
    const other = loop({ file: 'other.py', kind: 'check', unbound: [shared] });
    const reports = run('HG010', context([a, b, other]));
    expect(reports.map((r) => [r.file, r.span.start.line, r.span.start.column])).toEqual([
      ['app/routes.py', 8, 36],
      ['app/routes.py', 30, 5],
      ['other.py', 8, 36],
    ]);
    expect(reports[0]?.span.end).toEqual({ line: 8, column: 36 + 'WebSocketState'.length });
    expect(reports[0]?.message).toContain('`WebSocketState`');
  });

  it('reports names of any non-framework guard kind, including none', () => {
    const use: NameUse = { name: 'asyncio', position: { line: 3, column: 1 } };
    expect(run('HG010', context([loop({ kind: 'none', unbound: [use] })]))).toHaveLength(1);
  });
});

describe('HG011 syntax-error', () => {
  it('reports every syntax problem of every file', () => {
    const ctx = context([]);
    ctx.files = [
      fileAnalysis('a.py', { syntax: [{ position: { line: 4, column: 7 }, message: "unmatched ')'" }] }),
      fileAnalysis('b.py', {
        syntax: [
          { position: { line: 1, column: 1 }, message: '`match` requires Python 3.10 (target 3.9)' },
          { position: { line: 9, column: 5 }, message: 'invalid syntax' },
        ],
      }),
    ];
    const reports = run('HG011', ctx);
    expect(reports.map((r) => [r.file, r.span.start.line, r.message])).toEqual([
      ['a.py', 4, "unmatched ')'"],
      ['b.py', 1, '`match` requires Python 3.10 (target 3.9)'],
      ['b.py', 9, 'invalid syntax'],
    ]);
    expect(reports.every((r) => r.loop === null)).toBe(true);
  });
});

describe('HG000 suppression', () => {
  function withSuppressions(suppressions: Suppression[], language: FileAnalysis['language'] = 'python'): RuleContext {
    const ctx = context([]);
    const comment = language === 'python' ? '#' : '//';
    ctx.files = [
      fileAnalysis('app/ws.py', {
        language,
        suppressions,
        lines: ['import x', `    while True:  ${comment} handshake-guard: ignore[HG001]`, `    ${comment} handshake-guard: ignore[HG001, HG003] -- ok`],
      }),
    ];
    return ctx;
  }

  it('reports a missing reason and an unused suppression at the comment', () => {
    const reports = run(
      'HG000',
      withSuppressions([
        { file: 'app/ws.py', line: 2, rules: ['HG001'], reason: null, used: true },
        { file: 'app/ws.py', line: 3, rules: ['HG001', 'HG003'], reason: 'ok', used: false },
      ]),
    );
    expect(reports.map((r) => [r.span.start.line, r.span.start.column, r.message])).toEqual([
      [2, 18, 'suppression needs a reason: # handshake-guard: ignore[HG001] -- why'],
      [3, 5, 'unused suppression for HG001, HG003'],
    ]);
  });

  it('reports an unreasoned suppression once (it is not honoured), with the TS comment syntax', () => {
    const reports = run(
      'HG000',
      withSuppressions([{ file: 'app/ws.py', line: 2, rules: ['HG001'], reason: null, used: false }], 'typescript'),
    );
    expect(reports.map((r) => r.message)).toEqual(['suppression needs a reason: // handshake-guard: ignore[HG001] -- why']);
  });

  it('a rule written by its name or a mistyped id: says so (it suppresses nothing), not "unused"', () => {
    const ctx = withSuppressions([
      { file: 'app/ws.py', line: 2, rules: ['RECEIVE-BEFORE-GUARD' as 'HG001'], reason: 'x', used: false },
      { file: 'app/ws.py', line: 3, rules: ['HG01' as 'HG001', 'HG001'], reason: 'x', used: true },
    ]);
    ctx.ruleIds = new Map(ALL_RULES.map((r) => [r.name, r.id]));
    expect(run('HG000', ctx).map((r) => [r.span.start.line, r.message])).toEqual([
      [2, 'suppression names a rule by its name, so it suppresses nothing: write its id, ignore[HG001]'],
      [3, 'unknown rule id HG01 in suppression, so it suppresses nothing (rule ids: HG000–HG013)'],
    ]);
  });

  it('when reasons are not required, only reports unused suppressions', () => {
    const ctx = withSuppressions([
      { file: 'app/ws.py', line: 2, rules: ['HG001'], reason: null, used: true },
      { file: 'app/ws.py', line: 3, rules: ['HG001'], reason: null, used: false },
    ]);
    ctx.requireSuppressionReason = false;
    expect(run('HG000', ctx).map((r) => [r.span.start.line, r.message])).toEqual([[3, 'unused suppression for HG001']]);
  });

  it('accepts a used suppression with a reason', () => {
    expect(
      run('HG000', withSuppressions([{ file: 'app/ws.py', line: 3, rules: ['HG001'], reason: 'ok', used: true }])),
    ).toEqual([]);
  });
});

// ---- fixtures: the marks are well formed and every rule has enough cases ---------------

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'python');
const MARK = /^\s*#\s*(expect|ok):\s*(HG\d{3}(?:\s*,\s*HG\d{3})*)\s*$/;
const LOOKS_LIKE_MARK = /^\s*#\s*(expect|ok)\b/;
const STANDALONE_SUPPRESSION = /^\s*#\s*handshake-guard:/;

interface Mark {
  file: string;
  kind: 'expect' | 'ok';
  rules: string[];
  markLine: number;
  target: number;
}

function pythonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return pythonFiles(path);
      return name.endsWith('.py') ? [path] : [];
    });
}

function readMarks(file: string): Mark[] {
  const source = readFileSync(file, 'utf8').split('\n');
  const marks: Mark[] = [];
  source.forEach((text, index) => {
    const match = MARK.exec(text);
    if (!match) {
      if (LOOKS_LIKE_MARK.test(text)) throw new Error(`${file}:${index + 1}: malformed mark: ${text.trim()}`);
      return;
    }
    let target = index + 1;
    while (target < source.length && (MARK.test(source[target] ?? '') || STANDALONE_SUPPRESSION.test(source[target] ?? ''))) {
      target += 1;
    }
    marks.push({
      file: relative(FIXTURES, file),
      kind: match[1] === 'expect' ? 'expect' : 'ok',
      rules: (match[2] ?? '').split(',').map((id) => id.trim()),
      markLine: index + 1,
      target: target + 1,
    });
  });
  return marks;
}

describe('python fixtures', () => {
  const files = pythonFiles(FIXTURES);
  const marks = files.flatMap(readMarks);

  it('have a target code line for every mark and no contradictions', () => {
    for (const mark of marks) {
      const text = readFileSync(join(FIXTURES, mark.file), 'utf8').split('\n')[mark.target - 1] ?? '';
      expect(text.trim(), `${mark.file}:${mark.markLine}`).not.toBe('');
      // A suppression may trail the code; a comment-only line is never a target.
      expect(text.trim().startsWith('#'), `${mark.file}:${mark.markLine}`).toBe(false);
      for (const ruleId of mark.rules) expect(findRule(ruleId), `${mark.file}:${mark.markLine}`).toBeDefined();
    }
    const seen = new Map<string, string>();
    for (const mark of marks) {
      for (const ruleId of mark.rules) {
        const key = `${mark.file}:${mark.target}:${ruleId}`;
        const before = seen.get(key);
        expect(before === undefined || before === mark.kind, `${key} is both expect and ok`).toBe(true);
        seen.set(key, mark.kind);
      }
    }
  });

  it.each(ALL_RULES.filter((r) => !TS_ONLY.has(r.id)).map((r) => [r.id] as const))('%s has at least three expect and three ok cases', (id) => {
    const own = marks.filter((m) => m.file.startsWith(`${id}/`) && m.rules.includes(id));
    expect(own.filter((m) => m.kind === 'expect').length).toBeGreaterThanOrEqual(3);
    expect(own.filter((m) => m.kind === 'ok').length).toBeGreaterThanOrEqual(3);
  });

  it('parse without errors, except the HG011 cases that expect one', async () => {
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      const expectsSyntaxError = readMarks(file).some((m) => m.kind === 'expect' && m.rules.includes('HG011'));
      if (expectsSyntaxError) continue;
      // Parsed as the scanner parses (with its workaround for starred items tree-sitter rejects).
      const { tree } = parseTolerant(await loadParser(), source);
      const hasError = tree.rootNode.hasError;
      tree.delete();
      expect(hasError, relative(FIXTURES, file)).toBe(false);
    }
  });
});
