// HG010's message says why a Python name is unbound: imported only under `if TYPE_CHECKING:`
// (which never runs), or not bound at all.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/engine/run.js';

const HG010 = path.resolve(__dirname, '../fixtures/python/HG010');
const temps: string[] = [];
afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

async function messages(fixture: string): Promise<string[]> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'hg-hg010-'));
  temps.push(tmp);
  cpSync(path.join(HG010, fixture), path.join(tmp, fixture));
  const result = await run({ cwd: tmp, paths: ['.'] });
  return result.findings.filter((f) => f.ruleId === 'HG010').map((f) => `${f.line}: ${f.message}`);
}

describe('HG010 messages (Python)', () => {
  it('names TYPE_CHECKING when the module imports the name only under it', async () => {
    expect(await messages('type_checking_only_import.py')).toEqual([
      '32: `WebSocketState` is used by the handshake guard of endpoint but is bound only under `if TYPE_CHECKING:`, which never runs (import it at run time)',
      '35: `asyncio` is used by the handshake guard of endpoint but is bound only under `if TYPE_CHECKING:`, which never runs (import it at run time)',
    ]);
  });

  it('says "not bound in the module" when nothing binds it', async () => {
    const found = await messages('missing_asyncio_import.py');
    expect(found.length).toBeGreaterThan(0);
    for (const m of found) expect(m).toMatch(/`asyncio` is used by the handshake guard of .* but is not bound in the module \(missing import or definition\?\)$/);
  });
});
