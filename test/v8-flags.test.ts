// The V8 flags the CLI sets: V8 answers a flag it does not know on stdout, inside a JSON report,
// so a flag is set only on the versions known to define it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { cliV8Flags } from '../src/cli/v8-flags.js';

describe('the CLI’s V8 flags', () => {
  it('are set on the V8 majors known to define them, and on no other', () => {
    expect(cliV8Flags('11.3.244.8-node.38')).toEqual(['--wasm-tiering-budget=500000000']);
    expect(cliV8Flags('14.1.146.11-node.14')).toEqual(['--wasm-tiering-budget=500000000']);
    expect(cliV8Flags('10.2.154.26-node.26')).toEqual([]);
    expect(cliV8Flags('15.0.1')).toEqual([]);
    expect(cliV8Flags('')).toEqual([]);
    expect(cliV8Flags('x.y')).toEqual([]);
  });

  it('are known to this V8: setting them prints nothing (an unknown flag prints an error on stdout)', () => {
    const built = pathToFileURL(path.resolve('dist/src/cli/v8-flags.js')).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `(await import(${JSON.stringify(built)})).setCliV8Flags()`], { encoding: 'utf8' });
    expect(cliV8Flags(process.versions.v8).length).toBeGreaterThan(0);
    expect(r.status).toBe(0);
    expect(r.stdout + r.stderr).toBe('');
    // The same probe with a flag V8 does not know does print: the check above can fail.
    const unknown = spawnSync(process.execPath, ['-e', "require('node:v8').setFlagsFromString('--no-such-handshake-guard-flag')"], { encoding: 'utf8' });
    expect(unknown.stdout + unknown.stderr).toMatch(/unrecognized flag/);
  });
});
