// Property-based fuzzing (issue #7, item 4): the Python fixtures, mutated (lines deleted,
// duplicated and swapped, indentation changed, random tokens inserted), never crash the scan, the
// JSON report always validates against the Report schema, every other format renders, and `fix`
// on any mutant CPython parses yields a result CPython still parses, whose fixed loops pass, and
// which a second `fix` leaves alone.
//
// CI budget: HG_FUZZ_RUNS (default 120 scans, a third of that for fix) within a minute. A larger
// budget: `HG_FUZZ_RUNS=3000 HG_FUZZ_SEED=7 npx vitest run test/fuzz.test.ts` (see bench/README.md).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';
import { runFix } from '../src/fix/fix.js';
import { renderGithub } from '../src/report/github.js';
import { renderJson } from '../src/report/json.js';
import { renderJunit } from '../src/report/junit.js';
import { renderMarkdown } from '../src/report/markdown.js';
import { renderSarif } from '../src/report/sarif.js';
import { renderText } from '../src/report/text.js';
import { cpythonParsesAll } from './helpers/python.js';

const RUNS = Number(process.env.HG_FUZZ_RUNS ?? 120);
const SEED = Number(process.env.HG_FUZZ_SEED ?? 20261125);
const ROOT = path.resolve(__dirname, '../fixtures/python');

function fixturesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.py') && !e.name.endsWith('.fixed.py'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}
const ALL = fixturesUnder(ROOT).map((f) => readFileSync(f, 'utf8'));
const FIXABLE = [...fixturesUnder(path.join(ROOT, 'fix')), ...fixturesUnder(path.join(ROOT, 'HG001'))].map((f) => readFileSync(f, 'utf8'));

// ---- mutations ----

const TOKENS = [
  '(', ')', '[', ']', '{', '}', ':', ',', '.', '=', '\\', '#', '"', "'", '"""', 'f"{x!r:>{w}}"',
  'await', 'async', 'not', 'and', 'lambda:', 'yield', 'return', 'break', 'continue', 'pass', 'else:',
  'while True:', 'async for m in websocket.iter_text():', 'try:', 'except* ValueError:', 'finally:',
  'match x:', 'case _:', 'def f(ws):', 'async def g(websocket):', 'class C:', 'with a as b:',
  'await websocket.receive_text()', 'if websocket.application_state != WebSocketState.CONNECTED:',
  'time.sleep(1)', 'await asyncio.sleep(0.01)', 'deadline = time.monotonic() + 3',
  '# handshake-guard: ignore[HG001] -- reason', 'from starlette.websockets import WebSocketState',
  '\t', '    ', '\r', '\r\n', '\u00e9', '\u{1f642}', '\ufeff', '\u202e', '\u0000', '\u000c',
];

type Mutation =
  | { op: 'delete'; at: number }
  | { op: 'duplicate'; at: number }
  | { op: 'swap'; at: number; with: number }
  | { op: 'indent'; at: number; by: number; tab: boolean }
  | { op: 'insert'; at: number; column: number; token: string };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('duplicate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('swap' as const), at: fc.nat(), with: fc.nat() }),
  fc.record({ op: fc.constant('indent' as const), at: fc.nat(), by: fc.integer({ min: -8, max: 8 }), tab: fc.boolean() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), column: fc.nat(), token: fc.constantFrom(...TOKENS) }),
);

function mutate(source: string, mutations: Mutation[]): string {
  const lines = source.split('\n');
  for (const m of mutations) {
    if (lines.length === 0) lines.push('');
    const i = m.at % lines.length;
    const line = lines[i] as string;
    switch (m.op) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, line);
        break;
      case 'swap': {
        const j = m.with % lines.length;
        lines[i] = lines[j] as string;
        lines[j] = line;
        break;
      }
      case 'indent': {
        const body = line.replace(/^[ \t]*/, '');
        const width = Math.max(0, line.length - body.length + m.by);
        lines[i] = (m.tab ? '\t'.repeat(Math.ceil(width / 4)) : ' '.repeat(width)) + body;
        break;
      }
      case 'insert': {
        const c = m.column % (line.length + 1);
        lines[i] = `${line.slice(0, c)} ${m.token} ${line.slice(c)}`;
        break;
      }
    }
  }
  return lines.join('\n');
}

const mutant = (pool: string[]) =>
  fc.record({ fixture: fc.nat({ max: pool.length - 1 }), mutations: fc.array(mutation, { minLength: 1, maxLength: 6 }) }).map(({ fixture, mutations }) => ({
    source: mutate(pool[fixture] as string, mutations),
    fixture,
    mutations,
  }));

// ---- the Report shape (src/model.ts), as a JSON schema ----

const nullable = (schema: object) => ({ anyOf: [schema, { type: 'null' }] });
const line = { type: 'integer', minimum: 1 };
const fingerprint = {
  type: 'object',
  additionalProperties: false,
  required: ['timeoutSeconds', 'intervalSeconds', 'states', 'clock', 'sleep', 'onTimeout', 'logsOnTimeout', 'exitsOnTerminalState', 'placement'],
  properties: {
    timeoutSeconds: nullable({ type: 'number' }),
    intervalSeconds: nullable({ type: 'number' }),
    states: { type: 'array', items: { type: 'string' } },
    clock: nullable({ enum: ['monotonic', 'wall', 'loop'] }),
    sleep: nullable({ enum: ['async', 'blocking'] }),
    onTimeout: { enum: ['recheck-break', 'break', 'return', 'raise', 'continue', 'none'] },
    logsOnTimeout: { type: 'boolean' },
    exitsOnTerminalState: { type: 'boolean' },
    placement: { enum: ['per-message', 'before-loop'] },
  },
};
const REPORT_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['schemaVersion', 'tool', 'target', 'summary', 'checks', 'loops', 'findings'],
  properties: {
    schemaVersion: { const: 1 },
    tool: { type: 'object', additionalProperties: false, required: ['name', 'version'], properties: { name: { const: 'handshake-guard' }, version: { type: 'string' } } },
    target: { type: 'object', additionalProperties: false, required: ['pythonVersion', 'source'], properties: { pythonVersion: { type: 'string', pattern: '^\\d+\\.\\d+$' }, source: { type: 'string' } } },
    summary: {
      type: 'object',
      additionalProperties: false,
      required: ['files', 'loops', 'guarded', 'errors', 'warnings'],
      properties: Object.fromEntries(['files', 'loops', 'guarded', 'errors', 'warnings'].map((k) => [k, { type: 'integer', minimum: 0 }])),
    },
    checks: {
      type: 'array',
      minItems: 8,
      maxItems: 8,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'title', 'status', 'details'],
        properties: {
          id: { enum: ['syntax', 'imports', 'coverage', 'consistency', 'logic', 'parameters', 'breaking', 'performance'] },
          title: { type: 'string', minLength: 1 },
          status: { enum: ['pass', 'warn', 'fail', 'skip'] },
          details: { type: 'string', minLength: 1 },
        },
      },
    },
    loops: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['file', 'line', 'endLine', 'function', 'language', 'framework', 'receive', 'guard', 'status', 'confidence'],
        properties: {
          file: { type: 'string', minLength: 1 },
          line,
          endLine: line,
          function: { type: 'string' },
          language: { enum: ['python', 'typescript', 'javascript'] },
          framework: { type: 'string', minLength: 1 },
          receive: { type: 'object', additionalProperties: false, required: ['line', 'column', 'call'], properties: { line, column: line, call: { type: 'string' } } },
          guard: {
            type: 'object',
            additionalProperties: false,
            required: ['kind', 'line', 'fingerprint'],
            properties: { kind: { enum: ['none', 'check', 'polling', 'unbounded', 'framework'] }, line: nullable(line), fingerprint: nullable(fingerprint) },
          },
          status: { enum: ['pass', 'fail', 'suppressed'] },
          confidence: { enum: ['high', 'medium', 'low'] },
        },
      },
    },
    findings: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['ruleId', 'severity', 'file', 'line', 'column', 'endLine', 'message', 'fixable'],
        properties: {
          ruleId: { type: 'string', pattern: '^HG\\d{3}$' },
          severity: { enum: ['error', 'warning'] },
          file: { type: 'string', minLength: 1 },
          line,
          column: line,
          endLine: line,
          message: { type: 'string', minLength: 1 },
          fixable: { type: 'boolean' },
        },
      },
    },
  },
};
const validate = new Ajv({ allErrors: true, strict: true }).compile(REPORT_SCHEMA);

interface ReportLike {
  summary: { loops: number; errors: number; warnings: number; guarded: number };
  loops: { line: number; endLine: number; receive: { line: number } }[];
  findings: { severity: string; line: number; endLine: number }[];
}

/** The schema plus what a schema cannot say: counts that agree, spans that do not run backwards. */
function checkReport(json: string): void {
  const report = JSON.parse(json) as ReportLike;
  if (!validate(report)) throw new Error(`invalid report: ${JSON.stringify(validate.errors?.slice(0, 3))}`);
  expect(report.summary.loops).toBe(report.loops.length);
  expect(report.summary.errors).toBe(report.findings.filter((f) => f.severity === 'error').length);
  expect(report.summary.warnings).toBe(report.findings.filter((f) => f.severity === 'warning').length);
  expect(report.summary.guarded).toBeLessThanOrEqual(report.loops.length);
  for (const l of report.loops) expect(l.line <= l.receive.line && l.receive.line <= l.endLine).toBe(true);
  for (const f of report.findings) expect(f.endLine).toBeGreaterThanOrEqual(f.line);
}

const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));
function temp(): string {
  const t = mkdtempSync(path.join(os.tmpdir(), 'hg-fuzz-'));
  temps.push(t);
  return t;
}

describe('fuzz: mutated fixtures', () => {
  it('the report of any mutant validates and every format renders', async () => {
    const dir = temp();
    await fc.assert(
      fc.asyncProperty(mutant(ALL), async ({ source }) => {
        writeFileSync(path.join(dir, 'm.py'), source);
        const r = await run({ cwd: dir, paths: ['m.py'] });
        checkReport(renderJson(r.report));
        renderText({ report: r.report, findings: r.findings, files: r.files, color: false, showTable: true, showLoops: true });
        renderMarkdown(r.report);
        JSON.parse(renderSarif({ report: r.report, findings: r.findings, files: r.files, cwd: dir, root: dir }));
        renderJunit({ report: r.report, findings: r.findings, loops: r.loops, cwd: dir, root: dir, strict: false });
        renderGithub({ report: r.report, findings: r.findings, cwd: dir, root: dir, strict: false });
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
  }, 120_000);

  it('fix on a mutant CPython parses: the result parses, the fixed loops pass, a second fix changes nothing', async () => {
    const samples = fc.sample(mutant(FIXABLE), { numRuns: Math.max(10, Math.round(RUNS / 3)) * 3, seed: SEED });
    const parses = cpythonParsesAll(samples.map((s) => s.source));
    const parsing = samples.filter((_, i) => parses[i]).slice(0, Math.max(10, Math.round(RUNS / 3)));
    expect(parsing.length).toBeGreaterThan(5);
    const dir = temp();
    const file = path.join(dir, 'm.py');
    const fixedTexts: string[] = [];
    const cases: { source: string; after: string }[] = [];
    for (const { source, fixture, mutations } of parsing) {
      const label = JSON.stringify({ fixture, mutations });
      writeFileSync(file, source);
      const first = await runFix({ cwd: dir, paths: ['m.py'], write: true, upgrade: false, placement: 'per-message' });
      const after = readFileSync(file, 'utf8');
      const fixed = first.files[0];
      if (!fixed?.written) {
        expect(after, label).toBe(source); // refused or nothing to do: untouched
        continue;
      }
      fixedTexts.push(after);
      cases.push({ source, after });
      // The loops it fixed now pass.
      const rescan = await run({ cwd: dir, paths: ['m.py'] });
      const fixedFns = new Set(fixed.outcomes.filter((o) => o.skipped === null).map((o) => o.loop.function));
      const stillFailing = rescan.findings.filter((f) => !f.suppressed && (f.ruleId === 'HG001' || f.ruleId === 'HG003') && f.loop && fixedFns.has(f.loop.function));
      expect(stillFailing.map((f) => f.message), label).toEqual([]);
      // Idempotent.
      const second = await runFix({ cwd: dir, paths: ['m.py'], write: true, upgrade: false, placement: 'per-message' });
      expect(second.files.filter((f) => f.after !== null).map((f) => f.file), label).toEqual([]);
      expect(readFileSync(file, 'utf8'), label).toBe(after);
    }
    if (process.env.HG_FUZZ_VERBOSE) console.log({ samples: samples.length, parsing: parsing.length, fixed: cases.length });
    expect(cases.length).toBeGreaterThan(parsing.length / 4);
    const ok = cpythonParsesAll(fixedTexts);
    const broken = cases.filter((_, i) => !ok[i]);
    expect(broken.map((c) => c.after.slice(0, 2000)), 'fixed files CPython rejects').toEqual([]);
  }, 120_000);
});
