// The Guard Coverage row and files whose analysis threw (a bug of this tool): the row cannot
// vouch for loops it never saw, so it fails and names them; files skipped for what they are
// (too large, binary, nested too deep) are the syntax row's to report, as before.
import { describe, expect, it } from 'vitest';
import { checkCoverage } from '../src/checks/coverage.js';
import { loadConfig } from '../src/config/load.js';
import { analysisFailure, skippedAnalysis } from '../src/engine/skipped.js';
import { DEFAULT_PYTHON_TARGET } from '../src/languages/python/target-version.js';
import { tempTree } from './helpers/cli.js';

const file = (rel: string) => ({ relPath: rel, absPath: `/repo/${rel}`, language: 'python' as const });

async function coverage(files: ReturnType<typeof skippedAnalysis>[]) {
  const config = await loadConfig({ cwd: tempTree({}) });
  return checkCoverage({ files, loops: [], findings: [], config, target: DEFAULT_PYTHON_TARGET, disabled: new Set(), unguarded: new Set() });
}

describe('Guard Coverage and files not analysed', () => {
  it('a file whose analysis threw: fail, named with the reason', async () => {
    const failed = skippedAnalysis(file('app/ws.py'), analysisFailure(new RangeError('Maximum call stack size exceeded')));
    const ok = { ...skippedAnalysis(file('app/ok.py'), ''), skipped: null };
    expect(await coverage([ok, failed])).toMatchObject({
      status: 'fail',
      details: 'no message loops found in 1 file; loops unknown in 1 file whose analysis failed (a bug in handshake-guard): app/ws.py (analysis failed: Maximum call stack size exceeded)',
    });
  });

  it('a file skipped for what it is (too large): the row skips as before', async () => {
    const big = skippedAnalysis(file('vendor/big.py'), 'larger than 2 MiB: not analysed');
    expect(await coverage([big])).toMatchObject({ status: 'skip', details: 'no message loops found in 0 files' });
  });
});

describe('Guard Coverage when HG001/HG003 are turned off', () => {
  const APP = [
    'from fastapi import FastAPI, WebSocket',
    'app = FastAPI()',
    'async def pump(websocket: WebSocket):',
    '    while True:',
    '        await websocket.receive_text()',
    '',
  ].join('\n');

  it('an unguarded loop is not counted as guarded: the row and the summary say it was not checked', async () => {
    const { run } = await import('../src/engine/run.js');
    const dir = tempTree({ 'app.py': APP, 'handshake-guard.config.json': JSON.stringify({ rules: { HG001: 'off' } }) });
    const r = await run({ cwd: dir, paths: ['.'], cache: false });
    expect(r.report.summary).toMatchObject({ loops: 1, guarded: 0 });
    expect(r.report.checks.find((c) => c.id === 'coverage')).toMatchObject({
      status: 'pass',
      details: '0 of 1 loop guarded (1 not checked: HG001 turned off in the configuration)',
    });
    const both = tempTree({ 'app.py': APP, 'handshake-guard.config.json': JSON.stringify({ rules: { HG001: 'off', HG003: 'off' } }) });
    const r2 = await run({ cwd: both, paths: ['.'], cache: false });
    expect(r2.report.checks.find((c) => c.id === 'coverage')).toMatchObject({ status: 'skip', details: 'HG001 and HG003 are turned off in the configuration; 0 of 1 loop guarded' });
  }, 60_000);
});
