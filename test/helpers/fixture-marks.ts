// Reads Semgrep-style marks from a fixture: `# expect: HG001, HG005` / `# ok: HG001` apply to
// the next line that is not itself a mark or a `handshake-guard:` comment.
export interface Marks {
  /** `${ruleId}:${line}` that must be reported. */
  expected: Set<string>;
  /** `${ruleId}:${line}` that must not be reported. */
  ok: Set<string>;
  /** Rules the fixture speaks about: only these are compared. */
  rules: Set<string>;
  /** `# fixture-config: {...}` on the first lines: the config the case runs with. */
  config: Record<string, unknown> | null;
}

const MARK = /^\s*(?:#|\/\/)\s*(expect|ok):\s*([A-Z0-9,\s]+?)\s*$/;
const CONFIG = /^\s*(?:#|\/\/)\s*fixture-config:\s*(\{.*\})\s*$/;
const SKIP = /^\s*(?:#|\/\/)\s*handshake-guard:/;

export function readMarks(text: string): Marks {
  const lines = text.split(/\r?\n/);
  const marks: Marks = { expected: new Set(), ok: new Set(), rules: new Set(), config: null };
  const pending: { kind: string; rules: string[] }[] = [];
  lines.forEach((line, i) => {
    const cfg = CONFIG.exec(line);
    if (cfg) {
      marks.config = JSON.parse(cfg[1] as string) as Record<string, unknown>;
      return;
    }
    const m = MARK.exec(line);
    if (m) {
      pending.push({ kind: m[1] as string, rules: (m[2] as string).split(',').map((r) => r.trim()).filter(Boolean) });
      return;
    }
    if (SKIP.test(line) || pending.length === 0) return;
    for (const p of pending.splice(0)) {
      for (const r of p.rules) {
        marks.rules.add(r);
        (p.kind === 'expect' ? marks.expected : marks.ok).add(`${r}:${i + 1}`);
      }
    }
  });
  return marks;
}
