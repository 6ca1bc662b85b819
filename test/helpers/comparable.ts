// What two runs must agree on to report the same thing: the report, the notes, and every file's
// analysis (its lines included: code frames and SARIF snippets are read from them).
import type { RunResult } from '../../src/engine/run.js';

export function comparable(r: RunResult): unknown {
  return {
    report: r.report,
    notes: r.notes,
    files: r.files.map((f) => ({ file: f.file, skipped: f.skipped, syntax: f.syntax, loops: f.loops, issues: f.issues, suppressions: f.suppressions, lines: f.lines })),
  };
}
