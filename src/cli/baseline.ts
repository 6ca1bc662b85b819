// `handshake-guard baseline`: records today's findings so that `verify --baseline FILE`
// fails only on new ones. Re-running it rewrites the file (and says what went away).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { BASELINE_FILE_NAME, buildBaseline, readBaseline, renderBaseline } from '../engine/baseline.js';
import { run } from '../engine/run.js';
import type { RequirePolicy } from '../model.js';
import { escapeControl } from '../report/escape.js';
import { emit } from './output.js';

export interface BaselineCliOptions {
  config?: string;
  output?: string;
  pythonVersion?: string;
  require?: RequirePolicy;
  quiet?: boolean;
}

export async function baselineCommand(paths: string[], opts: BaselineCliOptions): Promise<number> {
  const cwd = process.cwd();
  const output = opts.output ?? BASELINE_FILE_NAME;
  const baselinePath = path.resolve(cwd, output);
  const result = await run({
    cwd,
    paths,
    ...(opts.config ? { configPath: opts.config } : {}),
    ...(opts.pythonVersion ? { pythonVersion: opts.pythonVersion } : {}),
    ...(opts.require ? { require: opts.require } : {}),
  });
  let before: number | null = null;
  if (existsSync(baselinePath)) {
    try {
      before = readBaseline(baselinePath, output).findings.reduce((n, e) => n + e.count, 0);
    } catch {
      before = null; // an unreadable old file is simply replaced
    }
  }
  const baseline = buildBaseline({ findings: result.findings, files: result.files, cwd, baselinePath });
  emit(renderBaseline(baseline), output, cwd);
  const total = baseline.findings.reduce((n, e) => n + e.count, 0);
  const files = new Set(baseline.findings.map((e) => e.file)).size;
  const was = before === null ? '' : `; was ${before}`;
  process.stdout.write(
    `wrote ${escapeControl(output)}: ${total} finding${total === 1 ? '' : 's'} in ${files} file${files === 1 ? '' : 's'}${was}\n`,
  );
  if (!opts.quiet) for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
  return 0;
}
