// A guard's fingerprint in words, for the consistency row and the text and markdown reports.
import type { Fingerprint } from '../model.js';

export function describeFingerprint(f: Fingerprint): string {
  const parts = [
    `${f.timeoutSeconds === null ? '?' : formatSeconds(f.timeoutSeconds)} / ${f.intervalSeconds === null ? '?' : formatMillis(f.intervalSeconds)}`,
    f.clock === null ? 'no clock' : `${f.clock} clock`,
    f.states.length > 0 ? f.states.join('+') : 'no state',
    `on timeout: ${f.onTimeout}`,
    f.logsOnTimeout ? 'logs' : 'silent',
  ];
  if (f.sleep === 'blocking') parts.push('blocking sleep');
  if (f.exitsOnTerminalState) parts.push('exits on disconnect');
  if (f.placement === 'before-loop') parts.push('before loop');
  return parts.join(', ');
}

function formatSeconds(s: number): string {
  return `${Number.isInteger(s) ? s.toFixed(1) : String(s)}s`;
}

function formatMillis(s: number): string {
  return `${Math.round(s * 1_000_000) / 1000}ms`;
}
