// `--python PATH`: a cross-check of HG011 by a real interpreter. One subprocess for the whole
// scan reads every file's text as JSON on stdin and runs `compile(..., ast.PyCF_ONLY_AST)` on each:
// parsing only — no scanned code is imported or run, and the interpreter starts isolated (-I: no
// environment variables, no user site, the script's directory not on sys.path; -S: no site hooks)
// in a temporary directory, so nothing of the scanned repository is on its path either.
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { FileAnalysis } from '../../model.js';

const SCRIPT = `
import ast, json, sys
items = json.loads(sys.stdin.buffer.read().decode("utf-8"))
results = []
for item in items:
    try:
        compile(item["source"], item["name"], "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
        results.append(None)
    except SyntaxError as e:
        results.append({"line": e.lineno, "column": e.offset, "message": "%s: %s" % (type(e).__name__, e.msg)})
    except Exception as e:
        results.append({"line": None, "column": None, "message": "%s: %s" % (type(e).__name__, e)})
out = {"version": "%d.%d.%d" % sys.version_info[:3], "results": results}
sys.stdout.buffer.write(json.dumps(out).encode("ascii"))
`;

export interface InterpreterVerdict {
  line: number | null;
  column: number | null;
  message: string;
}

export interface InterpreterParse {
  /** `3.11.7` */
  version: string;
  /** One per input, in order: null when the source parses. */
  results: (InterpreterVerdict | null)[];
}

/**
 * Runs the interpreter once over all sources. Usage errors when it cannot be run or answers
 * nonsense. A path with a directory in it (`./venv/bin/python`) is taken from `cwd`; a bare name
 * (`python3.11`) is looked up on PATH.
 */
export function interpreterParse(
  python: string,
  sources: { name: string; source: string }[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<InterpreterParse> {
  const executable = python.includes('/') || python.includes(path.sep) ? path.resolve(opts.cwd ?? process.cwd(), python) : python;
  const timeoutMs = opts.timeoutMs ?? 300_000;
  return new Promise((resolve, reject) => {
    const child = spawn(executable, ['-I', '-S', '-c', SCRIPT], { cwd: os.tmpdir(), stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.stdin.on('error', () => {}); // a child that exits early is reported by 'close'
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new UsageError(`--python ${python}: cannot run it (${e.message})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8').trim().split('\n').at(-1) ?? '';
      if (code !== 0) {
        reject(new UsageError(`--python ${python}: exited with ${signal ?? `status ${code}`}${stderr ? `: ${stderr}` : ''}`));
        return;
      }
      try {
        const parsed = JSON.parse(Buffer.concat(out).toString('utf8')) as InterpreterParse;
        if (typeof parsed.version !== 'string' || !Array.isArray(parsed.results) || parsed.results.length !== sources.length) {
          throw new Error('unexpected answer');
        }
        resolve(parsed);
      } catch {
        reject(new UsageError(`--python ${python}: not a Python 3 interpreter that handshake-guard can use`));
      }
    });
    child.stdin.end(JSON.stringify(sources), 'utf8');
  });
}

/** What the syntax row says about the cross-check. */
export interface SyntaxCrossCheck {
  interpreter: string;
  version: string;
  /** Files compared. */
  checked: number;
  /** Files the interpreter rejects and handshake-guard passed: `file:line message`. */
  missed: string[];
  /** Files handshake-guard flagged and the interpreter parses: `file:line`. */
  falseAlarms: string[];
  /** Files not compared because their target is another version: `file (3.12)`. */
  otherTargets: string[];
}

function minorOf(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

/**
 * Compares HG011 with the interpreter on the files whose target is the interpreter's version; on
 * those the interpreter decides: an error it finds becomes an HG011 problem, a file it parses
 * loses the problems handshake-guard reported (both are listed by the syntax row).
 */
export async function crossCheckSyntax(
  python: string,
  files: FileAnalysis[],
  sourceOf: (file: FileAnalysis) => string | null,
  cwd?: string,
): Promise<SyntaxCrossCheck> {
  const readable = files.filter((f) => f.language === 'python' && !f.skipped && sourceOf(f) !== null);
  const answer = await interpreterParse(
    python,
    readable.map((f) => ({ name: f.file, source: sourceOf(f) as string })),
    cwd !== undefined ? { cwd } : {},
  );
  const version = minorOf(answer.version);
  const summary: SyntaxCrossCheck = { interpreter: python, version: answer.version, checked: 0, missed: [], falseAlarms: [], otherTargets: [] };
  readable.forEach((f, i) => {
    const target = f.target?.pythonVersion;
    if (target !== undefined && target !== version) {
      summary.otherTargets.push(`${f.file} (${target})`);
      return;
    }
    summary.checked++;
    const verdict = answer.results[i] ?? null;
    if (verdict && f.syntax.length === 0) {
      const line = verdict.line ?? 1;
      f.syntax.push({
        position: { line, column: verdict.column ?? 1 },
        message: `syntax error reported by Python ${answer.version} (--python): ${verdict.message}`,
      });
      summary.missed.push(`${f.file}:${line} ${verdict.message}`);
    } else if (!verdict && f.syntax.length > 0) {
      summary.falseAlarms.push(`${f.file}:${f.syntax[0]?.position.line ?? 1}`);
      f.syntax = [];
    }
  });
  return summary;
}
