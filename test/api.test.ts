// The programmatic API (SPEC §11): `import { scan, verify, fix } from 'handshake-guard'`, the same
// objects the JSON output serialises, type declarations shipped. Imported by the package's own
// name (Node's self-reference through package.json "exports"), as a user would: the built dist.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempTree } from './helpers/cli.js';

const APP = 'from fastapi import WebSocket\n\n\nasync def pump(websocket: WebSocket) -> None:\n    while True:\n        await websocket.receive_text()\n';

describe('the programmatic API', () => {
  it('scan, verify and fix, from the package by name', async () => {
    const api = await import('handshake-guard');
    const dir = tempTree({ 'app.py': APP });
    const report = await api.scan({ cwd: dir, cache: false });
    expect(report.summary).toMatchObject({ files: 1, loops: 1, guarded: 0, errors: 1 });
    expect((await api.verify({ cwd: dir, cache: false })).passed).toBe(false);

    const dry = await api.fix({ cwd: dir, cache: false });
    expect(dry.files).toHaveLength(1);
    expect(dry.files[0]).toMatchObject({ file: 'app.py', refused: null, written: false, loops: [{ file: 'app.py', line: 5, function: 'pump', action: 'insert', skipped: null }] });
    expect(dry.files[0]?.diff).toMatch(/^\+\s+# handshake-guard: bounded wait for the WebSocket handshake$/m);
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toBe(APP);

    const written = await api.fix({ cwd: dir, cache: false, write: true });
    expect(written.files[0]?.written).toBe(true);
    expect(readFileSync(path.join(dir, 'app.py'), 'utf8')).toBe(written.files[0]?.after);
    expect((await api.verify({ cwd: dir, cache: false })).passed).toBe(true);
  }, 120_000);

  it('ships type declarations for all three', () => {
    const dts = readFileSync(path.resolve(__dirname, '../dist/src/index.d.ts'), 'utf8');
    for (const name of ['scan', 'verify', 'fix']) expect(dts).toMatch(new RegExp(`export declare function ${name}\\(`));
  });
});
