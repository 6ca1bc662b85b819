import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function readVersion(): string {
  // dist/src/version.js and src/version.ts both sit two levels below package.json's folder… or one.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(rel) as { name?: string; version?: string };
      if (pkg.name === 'handshake-guard' && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}

export const TOOL_NAME = 'handshake-guard';
export const TOOL_VERSION = readVersion();
