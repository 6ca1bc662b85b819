// How long a polling wait can last, from its bound and interval: the Performance row, fix's
// option checks and the configuration's `defaults` all ask it.

/**
 * How many times a wait with this bound and interval looks at the state before giving up. In
 * floating point 10 / 0.01 is 1000.0000000000001: it must count as 1000.
 */
export function pollsOf(timeoutSeconds: number, intervalSeconds: number): number {
  return Math.ceil(timeoutSeconds / intervalSeconds - 1e-9);
}

/**
 * The longest a wait with this bound and interval can take: the deadline is looked at between
 * sleeps, so the wait ends at the first look past it — later than the bound when the interval
 * does not divide it (a 3 s bound with 8 s sleeps takes 8 s).
 */
export function worstCaseSeconds(timeoutSeconds: number, intervalSeconds: number | null): number {
  if (!intervalSeconds) return timeoutSeconds;
  return Math.max(timeoutSeconds, pollsOf(timeoutSeconds, intervalSeconds) * intervalSeconds);
}
