// `handshake-guard init`: writes a starting configuration and prints the hook and CI snippets.
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE_NAME, discoveredConfig } from '../config/load.js';
import { UsageError } from '../errors.js';
import { TOOL_VERSION } from '../version.js';

const CONFIG = {
  require: 'polling',
  consistency: 'file',
  exclude: [],
  rules: {},
  bounds: { timeout: { min: 0.1, max: 10 }, interval: { min: 0.001, max: 0.5 }, polls: { max: 1000 } },
  budget: 5,
  defaults: { timeout: 3.0, interval: 0.01 },
};

const PRE_COMMIT = `# .pre-commit-config.yaml: the hook from the handshake-guard repository (.pre-commit-hooks.yaml)
repos:
  - repo: https://github.com/OWNER/handshake-guard   # the handshake-guard git repository
    rev: v${TOOL_VERSION}   # a tag or commit of it
    hooks:
      - id: handshake-guard-fix   # optional: \`handshake-guard fix --write\` (review, then stage)
      - id: handshake-guard   # runs \`handshake-guard verify --staged\` on staged Python/TS/JS files`;

const HUSKY = `# husky: .husky/pre-commit
npx handshake-guard verify --staged`;

// From the git repository at a tag, as the pre-commit hook: the package is not on the npm registry,
// and `npx --yes <name>` would run whatever someone publishes under that name.
const CI = `# .github/workflows/handshake-guard.yml: the whole workflow is examples/ci/handshake-guard.yml
      - run: npx --yes github:OWNER/handshake-guard#v${TOOL_VERSION} verify --format sarif -o handshake-guard.sarif --format github --format text`;

export async function initCommand(opts: { force?: boolean }): Promise<number> {
  const target = path.resolve(process.cwd(), CONFIG_FILE_NAME);
  if (existsSync(target) && !opts.force) throw new UsageError(`${CONFIG_FILE_NAME} already exists (use --force to overwrite)`);
  // A configuration runs already use (package.json's key, pyproject's table, a parent directory's
  // file) would be hidden by the new file without a word: its settings would silently stop applying.
  const existing = opts.force ? null : await discoveredConfig(process.cwd());
  if (existing) {
    const where = existing.where === 'file' ? existing.file : `the ${existing.where} of ${existing.file}`;
    throw new UsageError(`a configuration is already in use: ${where}; ${CONFIG_FILE_NAME} here would hide it (use --force to write it anyway)`);
  }
  writeFileSync(target, `${JSON.stringify(CONFIG, null, 2)}\n`);
  process.stdout.write(`wrote ${CONFIG_FILE_NAME}\n\npre-commit:\n\n${PRE_COMMIT}\n\nOr husky:\n\n${HUSKY}\n\nCI:\n\n${CI}\n`);
  return 0;
}
