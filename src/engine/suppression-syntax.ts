// The suppression comment syntax, shared by every language: `handshake-guard: ignore[HG001, HG005] -- reason`.
// Hyphens too: a rule written by name (`ignore[receive-before-guard]`) is read, so that HG000 can say to write its id.
const PATTERN = /handshake-guard:\s*ignore\[\s*([A-Za-z0-9_,\s-]+)\]\s*(?:--\s*(.*\S))?/;
/** `handshake-guard: ignore -- reason` with no rule list: read, so that HG000 can say it suppresses nothing. */
const BARE = /handshake-guard:\s*ignore\b(?!\s*\[)\s*(?:--\s*(.*\S))?/;

export function parseSuppression(comment: string): { rules: string[]; reason: string | null } | null {
  const m = PATTERN.exec(comment);
  if (!m) {
    const bare = BARE.exec(comment);
    return bare ? { rules: [], reason: bare[1]?.trim() || null } : null;
  }
  const rules = (m[1] ?? '').split(',').map((r) => r.trim().toUpperCase()).filter(Boolean);
  return { rules, reason: m[2]?.trim() || null };
}
