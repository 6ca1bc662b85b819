// The CI formats (SPEC §9): SARIF validated against the 2.1.0 schema, JUnit parsed by an XML
// parser, GitHub workflow commands escaped; several outputs in one run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { afterEach, describe, expect, it } from 'vitest';
import { ALL_RULES } from '../rules/index.js';
import type { Finding, Report } from '../src/model.js';
import { escapeData, escapeProperty, renderGithub } from '../src/report/github.js';
import { FINGERPRINT_KEY } from '../src/report/sarif.js';
import { cli, tempTree } from './helpers/cli.js';
import { git, gitRepo, guarded, removeAll, UNGUARDED, write } from './helpers/git.js';

const REPO = path.resolve(__dirname, '..');
const dirs: string[] = [];
afterEach(() => removeAll(dirs));

// ajv-formats is CommonJS with `exports.default`; under NodeNext the callable is `.default`.
const addFormats = addFormatsModule.default;

function sarifValidator() {
  const schema = JSON.parse(readFileSync(path.join(__dirname, 'schemas', 'sarif-2.1.0.json'), 'utf8')) as object;
  const ajv = new Ajv2020({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

function sarifOf(args: string[], cwd: string): Log {
  const r = cli([...args, '--format', 'sarif'], cwd);
  expect(r.stderr).not.toContain('internal error');
  return JSON.parse(r.stdout) as Log;
}

/** N handlers without a guard, in one module. */
function manyUnguarded(n: number): string {
  const head = 'from fastapi import FastAPI, WebSocket\n\napp = FastAPI()\n';
  const handler = (i: number): string =>
    `\n\n@app.websocket("/ws${i}")\nasync def echo${i}(websocket: WebSocket):\n    await websocket.accept()\n    while True:\n        await websocket.send_text(await websocket.receive_text())\n`;
  return head + Array.from({ length: n }, (_, i) => handler(i)).join('');
}

describe('--format sarif', () => {
  const validate = sarifValidator();

  it('the examples validate against the SARIF 2.1.0 schema', () => {
    for (const args of [['verify', 'examples/'], ['scan', 'examples/fastapi-chat/app']]) {
      const log = sarifOf(args, REPO);
      const ok = validate(log);
      expect(validate.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
      expect(log.runs[0]?.results?.length).toBeGreaterThan(0);
    }
  });

  it('has one rule per HG id with descriptions and help, and results point at them by index', () => {
    const log = sarifOf(['verify', 'examples/'], REPO);
    const run = log.runs[0];
    const rules = run?.tool.driver.rules ?? [];
    expect(rules.map((r) => r.id)).toEqual(ALL_RULES.map((r) => r.id));
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    for (const r of rules) {
      expect(r.shortDescription?.text).toBeTruthy();
      expect(r.fullDescription?.text).toBeTruthy();
      expect(r.help?.text).toContain('Why is this bad?');
      expect(r.help?.markdown).toContain('## Use instead');
    }
    for (const result of run?.results ?? []) {
      expect(rules[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
      const uri = result.locations?.[0]?.physicalLocation?.artifactLocation?.uri ?? '';
      expect(uri).toMatch(/^examples\/fastapi-chat\/app\/routes\/[a-z_]+\.py$/); // relative to the repository root
      expect(result.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId).toBe('%SRCROOT%');
      expect(result.partialFingerprints?.[FINGERPRINT_KEY]).toMatch(/^[0-9a-f]{32}:\d+$/);
    }
  });

  it('names files from the repository root when run in a subdirectory', () => {
    const root = gitRepo({ 'backend/app/ws.py': UNGUARDED }, dirs);
    const log = sarifOf(['scan'], path.join(root, 'backend'));
    expect(log.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('backend/app/ws.py');
    expect(validate(log)).toBe(true);
  });

  it('partialFingerprints survive line shifts and renames of unrelated code', () => {
    const before = `${UNGUARDED}\n\ndef helper():\n    return 1\n`;
    const after = `"""A docstring that moves everything down."""\nimport os\n\n\n${UNGUARDED}\n\ndef renamed_helper():\n    return os.sep\n`;
    const prints = (source: string): string[] => {
      const log = sarifOf(['scan'], tempTree({ 'app.py': source }));
      return (log.runs[0]?.results ?? []).map((r) => `${r.ruleId} ${r.partialFingerprints?.[FINGERPRINT_KEY]}`);
    };
    const a = prints(before);
    expect(a).toHaveLength(1);
    expect(prints(after)).toEqual(a);
    // Renaming the loop's own function is a different finding.
    expect(prints(before.replace('async def echo', 'async def other'))).not.toEqual(a);
  });

  it('a file named a,b:c.py gets a percent-encoded relative URI that still validates', () => {
    const log = sarifOf(['scan'], tempTree({ 'a,b:c.py': UNGUARDED }));
    expect(log.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation?.uri).toBe('a%2Cb%3Ac.py');
    expect(validate(log)).toBe(true);
  });

  it('suppressed findings are carried with an in-source suppression', () => {
    const source = UNGUARDED.replace('    while True:', '    # handshake-guard: ignore[HG001] -- the proxy accepts first\n    while True:');
    const log = sarifOf(['scan'], tempTree({ 'app.py': source }));
    const hg001 = log.runs[0]?.results?.find((r) => r.ruleId === 'HG001');
    expect(hg001?.suppressions).toEqual([{ kind: 'inSource' }]);
    expect(validate(log)).toBe(true);
  });
});

describe('--format junit', () => {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['testsuite', 'testcase'].includes(name) });

  interface Case {
    name: string;
    classname: string;
    file?: string;
    failure?: { message: string; type: string };
    skipped?: unknown;
  }
  interface Suite {
    name: string;
    tests: string;
    failures: string;
    testcase: Case[];
  }

  function junit(args: string[], cwd: string): { code: number; suites: Suite[]; xml: string } {
    const r = cli([...args, '--format', 'junit'], cwd);
    expect(XMLValidator.validate(r.stdout)).toBe(true);
    const doc = parser.parse(r.stdout) as { testsuites: { testsuite: Suite[] } };
    return { code: r.code, suites: doc.testsuites.testsuite, xml: r.stdout };
  }

  it('parses, has a testsuite per check and unique testcase names that carry the location', () => {
    const { suites, code } = junit(['verify', 'examples/'], REPO);
    expect(code).toBe(1);
    expect(suites.map((s) => s.name)).toEqual([
      'Syntax Validation',
      'Import Validation',
      'Guard Coverage',
      'Consistency Across Loops',
      'Logic Validation',
      'Parameters',
      'Breaking Changes',
      'Performance Impact',
    ]);
    const cases = suites.flatMap((s) => s.testcase);
    const keys = cases.map((c) => `${c.classname}\u0000${c.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const coverage = suites.find((s) => s.name === 'Guard Coverage');
    const failed = coverage?.testcase.filter((c) => c.failure) ?? [];
    expect(failed.map((c) => c.name)).toEqual([
      'coverage: Guard Coverage',
      'coverage: examples/fastapi-chat/app/routes/websocket_ssot.py:162 WebSocketSSOTRouter._isolated_message_loop',
      'coverage: examples/fastapi-chat/app/routes/websocket_ssot.py:178 WebSocketSSOTRouter._legacy_message_loop',
    ]);
    expect(failed[1]?.failure?.type).toBe('HG001');
    expect(failed[1]?.file).toBe('examples/fastapi-chat/app/routes/websocket_ssot.py');
    expect(coverage?.failures).toBe('3');
    // Warnings do not fail a testcase unless --strict makes them fail the gate.
    expect(suites.find((s) => s.name === 'Logic Validation')?.failures).toBe('0');
    expect(junit(['verify', 'examples/', '--strict'], REPO).suites.find((s) => s.name === 'Logic Validation')?.failures).not.toBe('0');
  });

  it('escapes markup in names and messages', () => {
    const dir = tempTree({ 'a<b>&"q\'.py': UNGUARDED });
    const { suites, xml } = junit(['verify'], dir);
    expect(xml).toContain('a&lt;b&gt;&amp;&quot;q&apos;.py');
    const names = suites.flatMap((s) => s.testcase.map((c) => c.name));
    expect(names).toContain('coverage: a<b>&"q\'.py:9 echo');
  });

  it('a skipped row is a skipped testcase', () => {
    const { suites } = junit(['verify'], tempTree({ 'plain.py': 'x = 1\n' }));
    const coverage = suites.find((s) => s.name === 'Guard Coverage');
    expect(coverage?.testcase[0]?.skipped).toBeDefined();
  });
});

describe('--format github', () => {
  const finding = (over: Partial<Finding>): Finding => ({
    ruleId: 'HG001',
    severity: 'error',
    file: 'app.py',
    line: 3,
    column: 5,
    endLine: 3,
    endColumn: 9,
    message: 'm',
    fixable: true,
    loop: null,
    suppressed: false,
    ...over,
  });
  const report = { checks: [] } as unknown as Report;

  it('escapes %, CR and LF in messages, and also : and , in properties', () => {
    expect(escapeData('100% done\r\nnext')).toBe('100%25 done%0D%0Anext');
    expect(escapeProperty('a,b:c.py')).toBe('a%2Cb%3Ac.py');
    const out = renderGithub({
      report,
      findings: [finding({ file: 'a,b:c.py', message: 'first line\n::error::injected 50%' })],
      cwd: '/r',
      root: '/r',
      strict: false,
    });
    expect(out).toBe(
      '::error file=a%2Cb%3Ac.py,line=3,endLine=3,col=5,endColumn=9,title=HG001 receive-before-guard::first line%0A::error::injected 50%25\n',
    );
    expect(out.split('\n').filter((l) => l.startsWith('::'))).toHaveLength(1);
  });

  it('gives col only when the span is on one line', () => {
    const out = renderGithub({ report, findings: [finding({ line: 3, endLine: 9 })], cwd: '/r', root: '/r', strict: false });
    expect(out).toBe('::error file=app.py,line=3,endLine=9,title=HG001 receive-before-guard::m\n');
  });

  it('real file named a,b:c.py: annotations on stderr, stdout left to the machine-readable format', () => {
    const dir = tempTree({ 'a,b:c.py': UNGUARDED });
    const r = cli(['verify', '--format', 'github', '--format', 'json', '-o', 'report.json'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('::error file=a%2Cb%3Ac.py,line=9,endLine=');
    const both = cli(['verify', '--format', 'json', '--format', 'github'], dir);
    expect((JSON.parse(both.stdout) as Report).findings).toHaveLength(1);
    expect(both.stderr).toMatch(/^::error file=a%2Cb%3Ac\.py,/m);
  });

  it('annotates 10 errors and counts the rest', () => {
    const dir = tempTree({ 'app.py': manyUnguarded(13) });
    const r = cli(['verify', '--format', 'github'], dir);
    const lines = r.stderr.split('\n');
    expect(lines.filter((l) => l.startsWith('::error '))).toHaveLength(10);
    expect(lines.filter((l) => l.startsWith('::notice '))).toEqual([
      '::notice title=handshake-guard::3 more errors not annotated: GitHub shows 10 annotations of each type per step. They follow in the log.',
    ]);
    expect(lines.filter((l) => l.startsWith('  app.py:'))).toHaveLength(3);
  });

  it('annotates a failing row that no finding explains', () => {
    const root = gitRepo({ 'lib.py': 'def serve(app, port=8000):\n    pass\n' }, dirs);
    git(root, 'checkout', '-q', '-b', 'feature');
    write(root, 'lib.py', 'def serve(app):\n    pass\n');
    const r = cli(['verify', '--format', 'github'], root);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^::error title=Breaking Changes::1 breaking change against HEAD: lib\.py:1 /m);
  });
});

describe('several outputs in one run', () => {
  it('--format sarif -o x.sarif --format text: SARIF to the file, text to stdout', () => {
    const dir = tempTree({ 'app.py': UNGUARDED, 'ok.py': guarded() });
    const r = cli(['verify', '--format', 'sarif', '-o', 'x.sarif', '--format', 'text', '--no-color'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Gate: FAILED');
    const log = JSON.parse(readFileSync(path.join(dir, 'x.sarif'), 'utf8')) as Log;
    expect(log.version).toBe('2.1.0');
    // -o before any --format goes with the first, as it always did.
    const single = cli(['verify', '-o', 'r.json', '--format', 'json'], dir);
    expect(single.stdout).toBe('');
    expect((JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8')) as Report).schemaVersion).toBe(1);
  });

  it('refuses two formats on stdout, and two files for one format', () => {
    const dir = tempTree({ 'app.py': UNGUARDED });
    const r = cli(['verify', '--format', 'json', '--format', 'text'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format json and --format text would all write to stdout');
    const twice = cli(['verify', '--format', 'json', '-o', 'a.json', '-o', 'b.json'], dir);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('already writes to a.json');
  });
});
