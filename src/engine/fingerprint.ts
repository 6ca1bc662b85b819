// A finding's identity across edits, for the baseline and SARIF's partialFingerprints
// (SPEC §4): rule + file + enclosing qualified name + normalised loop text. Line numbers
// are left out, so findings survive code moving up or down and renames of unrelated code.
import { createHash } from 'node:crypto';
import type { Finding } from '../model.js';

/** `function` and `text`: what, besides rule and file, a finding's fingerprint is made of. */
export function fingerprintParts(finding: Finding, lines: readonly string[] | undefined): { function: string; text: string } {
  if (finding.loop) return { function: finding.loop.function, text: finding.loop.text };
  // Findings about no loop (syntax errors, unused suppressions): the text of their line.
  const line = lines?.[finding.line - 1] ?? '';
  return { function: '', text: line.replace(/\s+/g, ' ').trim() };
}

/** A hex digest of rule, file (as the caller names it: relative, `/`-separated) and the parts. */
export function fingerprintOf(finding: Finding, file: string, lines: readonly string[] | undefined): string {
  const parts = fingerprintParts(finding, lines);
  return createHash('sha256')
    .update(JSON.stringify(['handshake-guard/v1', finding.ruleId, file, parts.function, parts.text]))
    .digest('hex')
    .slice(0, 32);
}
