// fix and a module where `time` (or `asyncio`, `logging`) names something else: `from time import
// time`, `from datetime import time`. The guard used `time.monotonic()` on that binding, its
// re-verification found no clock (HG003) and the loop was refused with a misleading reason. The
// module is now imported under a free name; the fixed file compiles, verifies and is stable.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempTree } from './helpers/cli.js';

const APP = (imports: string, use: string) => `import asyncio
${imports}

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    while True:
        msg = await websocket.receive_text()
        await websocket.send_text(f"{${use}} {msg}")
`;

describe('fix where a standard-library module name is bound to something else', () => {
  for (const [imports, use] of [
    ['from time import time', 'time()'],
    ['from datetime import time\n_hg_time = 1', 'time(9, 0), _hg_time'],
    ['logging = "verbose"', 'logging'],
  ] as const) {
    it(imports.split('\n')[0] as string, () => {
      const dir = tempTree({ 'app.py': APP(imports, use) });
      const w = cli(['fix', '--write', '.'], dir);
      expect(w.stdout).toMatch(/^1 loop fixed in 1 file/m);
      const fixed = readFileSync(path.join(dir, 'app.py'), 'utf8');
      for (const line of imports.split('\n')) expect(fixed).toContain(line); // the module's own bindings stay
      // It compiles and imports (the logger line runs at import time).
      const imported = spawnSync('/usr/bin/python3', ['-c', 'import app'], { cwd: dir, encoding: 'utf8' });
      expect(imported.stderr).toBe('');
      expect(imported.status).toBe(0);
      expect(cli(['verify', '.'], dir).code).toBe(0);
      expect(cli(['fix', '--check', '.'], dir).code).toBe(0);
    });
  }
});
