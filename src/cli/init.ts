// `handshake-guard init`: writes a starting configuration and prints the hook and CI snippets.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME } from '../config/load.js';
import { UsageError } from '../errors.js';

const CONFIG = {
  require: 'polling',
  consistency: 'file',
  exclude: [],
  rules: {},
  bounds: { timeout: { min: 0.1, max: 10 }, interval: { min: 0.001, max: 0.5 }, polls: { max: 1000 } },
  budget: 5,
  defaults: { timeout: 3.0, interval: 0.01 },
};

const PRE_COMMIT = `# .pre-commit-config.yaml
repos:
  - repo: local
    hooks:
      - id: handshake-guard
        name: handshake-guard
        entry: npx handshake-guard verify
        language: system
        types_or: [python]
        require_serial: true`;

const CI = `# .github/workflows/handshake-guard.yml (a step)
      - run: npx handshake-guard verify --format markdown -o handshake-guard.md`;

export function initCommand(opts: { force?: boolean }): number {
  const target = path.resolve(process.cwd(), CONFIG_FILE_NAME);
  if (existsSync(target) && !opts.force) throw new UsageError(`${CONFIG_FILE_NAME} already exists (use --force to overwrite)`);
  writeFileSync(target, `${JSON.stringify(CONFIG, null, 2)}\n`);
  process.stdout.write(`wrote ${CONFIG_FILE_NAME}\n\nPre-commit:\n\n${PRE_COMMIT}\n\nCI:\n\n${CI}\n`);
  return 0;
}
