// No code execution and no injection (issue #7, item 3): a repository whose every executable
// hook (conftest.py, setup.py, package.json scripts, *.config.js/mjs/cjs, sitecustomize, a
// module-level payload) would write a marker file is scanned, verified, fixed, baselined and
// staged — the marker never appears. Outputs escape what they print: a file name built to break
// each format leaves every format well-formed and inert.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempTree } from './helpers/cli.js';
import { git } from './helpers/git.js';

const LOOP = 'import asyncio\n\nfrom fastapi import WebSocket\n\nasync def pump(websocket: WebSocket):\n    while True:\n        await websocket.receive_text()\n';
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

function hostileRepo(): { dir: string; marker: string } {
  const marker = 'PWNED';
  const py = `import pathlib; pathlib.Path(${JSON.stringify(marker)}).write_text("python ran")\n`;
  const js = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'node ran');\nmodule.exports = {};\n`;
  const esm = `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'node ran');\nexport default {};\n`;
  const sh = `touch ${marker}`;
  const dir = tempTree({
    'app/ws.py': `${py}${LOOP}`,
    'app/__init__.py': py,
    'conftest.py': py,
    'setup.py': py,
    'sitecustomize.py': py,
    'usercustomize.py': py,
    'noxfile.py': py,
    'tasks.py': py,
    'handshake-guard.config.js': js,
    'handshake-guard.config.mjs': esm,
    'handshake-guard.config.cjs': js,
    'eslint.config.js': js,
    'vitest.config.mjs': esm,
    'jest.config.cjs': js,
    'app/client.js': js,
    'app/client.mjs': esm,
    'app/client.ts': `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ts ran');\nconst ws = new WebSocket('ws://x');\nfor (;;) ws.send('x');\n`,
    'package.json': JSON.stringify({
      name: 'hostile',
      type: 'commonjs',
      main: 'eslint.config.js',
      scripts: { preinstall: sh, install: sh, postinstall: sh, prepare: sh, pretest: sh, test: sh, lint: sh, handshake: sh },
      handshakeGuard: { exclude: ['ignored/'] },
    }),
    'pyproject.toml': `[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n[tool.handshake-guard]\nconsistency = "file"\n`,
    'tox.ini': `[testenv]\ncommands = ${sh}\n`,
    'Makefile': `all:\n\t${sh}\n`,
    '.pre-commit-config.yaml': `repos:\n  - repo: local\n    hooks:\n      - id: x\n        name: x\n        entry: ${sh}\n        language: system\n`,
  });
  temps.push(dir);
  return { dir, marker: path.join(dir, marker) };
}

describe('nothing from the scanned repository runs', () => {
  it('scan, verify, every format, fix (dry run and --write), baseline, --staged and --base', () => {
    const { dir, marker } = hostileRepo();
    git(dir, 'init', '-q');
    git(dir, 'add', '-A');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'init');
    const runs = [
      ['scan', '.'],
      ['verify', '.'],
      ...['text', 'markdown', 'json', 'sarif', 'junit', 'github'].map((f) => ['verify', '--format', f, '.']),
      ['verify', '--staged'],
      ['verify', '--base', 'HEAD'],
      ['fix', '.'],
      ['fix', '--check', '.'],
      ['baseline', '.'],
      ['fix', '--write', '.'],
      ['scan', 'app/ws.py', 'conftest.py', 'setup.py'],
    ];
    for (const args of runs) {
      const r = cli(args, dir);
      expect([0, 1], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
      expect(existsSync(marker), `${args.join(' ')} ran the repository's code`).toBe(false);
    }
    // The run did its work (the fix was written) without running anything.
    expect(readFileSync(path.join(dir, 'app/ws.py'), 'utf8')).toContain('WebSocketState');
    expect(readdirSync(dir)).not.toContain('PWNED');
  }, 120_000);

  it('a configuration file in JavaScript is not loaded: only JSON and TOML are configuration', () => {
    const { dir, marker } = hostileRepo();
    const r = cli(['verify', '-c', 'handshake-guard.config.js', '.'], dir);
    expect(r.code).toBe(2);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('outputs escape what they print', () => {
  // Each piece attacks one format: a table cell, markup, a workflow command, XML, the terminal.
  const NAME = 'x|y`z`<b>&amp;%0A,a:b\n::error title=pwn::injected\u001b[2J\u202e.py';

  function run(format: string): string {
    const dir = tempTree({ [NAME]: LOOP });
    temps.push(dir);
    const r = cli(['verify', '--format', format, '-o', 'out.txt', '.'], dir);
    expect(r.code).toBe(1);
    return readFileSync(path.join(dir, 'out.txt'), 'utf8');
  }

  it('github: no line but our own commands, properties and data escaped', () => {
    const out = run('github');
    const lines = out.split('\n').filter(Boolean);
    expect(lines.every((l) => /^::(error|warning|notice) /.test(l) || l.startsWith('  '))).toBe(true);
    expect(lines.filter((l) => l.includes('::error title=pwn'))).toEqual([]);
    expect(out).toContain('file=x|y`z`<b>&amp;%250A%2Ca%3Ab%0A%3A%3Aerror title=pwn%3A%3Ainjected');
  });

  it('markdown: the name stays inside its cell, with | and backticks escaped and no raw HTML', () => {
    const out = run('markdown');
    const row = out.split('\n').find((l) => l.startsWith('| x')) as string; // the loop inventory's row
    expect(row).toBeDefined();
    expect(row).toContain('x\\|y\\`z\\`\\<b\\>\\&amp;%0A,a:b ::error title=pwn::injected\\x1b\\[2J\\u202e.py:6');
    expect(row.replace(/\\\|/g, '').split('|')).toHaveLength(8); // 6 cells, 7 delimiters
    expect(out).not.toMatch(/[\u001b\u202e]/);
  });

  it('junit: well-formed XML that gives the name back unchanged', () => {
    const out = run('junit');
    expect(XMLValidator.validate(out)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(out) as object;
    expect(JSON.stringify(doc)).toContain(JSON.stringify(NAME.replace('\u001b', '')).slice(1, 12));
    expect(out).not.toContain('<b>');
  });

  it('text: control characters and bidi overrides in names are shown escaped', () => {
    const out = run('text');
    expect(out).toContain('x|y`z`<b>&amp;%0A,a:b\\n::error title=pwn::injected\\x1b[2J\\u202e.py');
    expect(out).not.toMatch(/[\u001b\u202e]/);
  });

  it('fix: the diff shows control characters escaped on a terminal, and stays byte-exact when piped', () => {
    const osc = '\u001b]0;pwned\u0007\u001b[2J';
    const source = LOOP.replace('    while True:\n', `    while True:  # ${osc}\n`);
    const dir = tempTree({ 'ws.py': source });
    temps.push(dir);
    const terminal = cli(['fix', '.'], dir, { FORCE_COLOR: '1' });
    const shown = terminal.stdout.replace(/\u001b\[\d+m/g, ''); // chalk's own colors
    expect(shown).toContain('# \\x1b]0;pwned\\x07\\x1b[2J');
    expect(shown).not.toMatch(/[\u0007\u001b]/);
    const piped = cli(['fix', '.'], dir);
    expect(piped.stdout).toContain(`# ${osc}`);
  });

  it('json and sarif: valid JSON that gives the name back unchanged', () => {
    const json = JSON.parse(run('json')) as { loops: { file: string }[] };
    expect(json.loops.map((l) => l.file)).toEqual([NAME]);
    const sarif = JSON.parse(run('sarif')) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[] };
    const uri = sarif.runs[0]?.results[0]?.locations[0]?.physicalLocation.artifactLocation.uri ?? '';
    expect(decodeURIComponent(uri)).toBe(NAME);
  });
});
