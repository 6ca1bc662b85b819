// Every rule's documentation (`explain`) shows an example that triggers it and a "use instead"
// that does not: each sample is scanned as a file of its own, in both languages (HG000 and HG011
// included — a sample that did not reproduce its rule would teach the wrong thing). The example
// must report exactly its rule and the "use instead" nothing at all, so every sample is a
// self-contained module: no helper imported from a file the reader cannot see.
//
// The one exception is a language a rule cannot apply to: HG012 (Cloudflare `WebSocketPair`) and
// HG013 (`Deno.upgradeWebSocket`) are about TypeScript/JavaScript platform APIs, so their Python
// samples are comments saying so (`notApplicable` in rules/support.ts). Those cases are skipped,
// and the list of them is pinned so that no rule can dodge its samples by calling them inapplicable.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../rules/index.js';
import { NOT_APPLICABLE } from '../rules/support.js';
import type { RuleId } from '../src/model.js';
import type { Rule } from '../src/rule.js';
import { run } from '../src/engine/run.js';
import { tempTree } from './helpers/cli.js';

const LANGUAGES = [
  ['python', 'sample.py'],
  ['typescript', 'sample.ts'],
] as const;

/** What an example reports besides its own rule, and why. */
const ALSO_REPORTED: Partial<Record<RuleId, RuleId[]>> = {
  // A suppression without a reason suppresses nothing, so the loop it was meant for keeps its HG001.
  HG000: ['HG001'],
};

async function ruleIds(code: string, file: string): Promise<string[]> {
  const dir = tempTree({});
  writeFileSync(path.join(dir, file), code);
  const r = await run({ cwd: dir, paths: [file], cache: false });
  return [...new Set(r.findings.filter((f) => !f.suppressed).map((f) => f.ruleId))].sort();
}

function notApplicable(r: Rule, lang: 'python' | 'typescript'): boolean {
  return NOT_APPLICABLE.test(r.docs.example[lang]) || NOT_APPLICABLE.test(r.docs.useInstead[lang]);
}

it('only the TS-only rules mark a language as not applicable, in both sections', () => {
  const marked = ALL_RULES.flatMap((r) =>
    LANGUAGES.filter(([lang]) => notApplicable(r, lang)).map(([lang]) => `${r.id} ${lang}`),
  );
  expect(marked).toEqual(['HG012 python', 'HG013 python']);
  for (const r of ALL_RULES) {
    for (const [lang] of LANGUAGES) {
      expect(NOT_APPLICABLE.test(r.docs.example[lang])).toBe(NOT_APPLICABLE.test(r.docs.useInstead[lang]));
    }
  }
});

describe.each(ALL_RULES.map((r) => [r.id, r] as const))('%s documentation samples', (id, r) => {
  for (const [lang, file] of LANGUAGES) {
    if (notApplicable(r, lang)) {
      // Nothing to reproduce: the samples must be only the comment saying so, and scan clean.
      it(`${lang}: not applicable (${id} is about a TypeScript/JavaScript platform API): its samples are comments only and report nothing`, async () => {
        for (const sample of [r.docs.example[lang], r.docs.useInstead[lang]]) {
          expect(sample.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))).toEqual([]);
          expect(await ruleIds(sample, file)).toEqual([]);
        }
      }, 60_000);
      continue;
    }
    it(`${lang}: the example reports ${id} (only), "use instead" reports nothing`, async () => {
      expect(await ruleIds(r.docs.example[lang], file)).toEqual([id, ...(ALSO_REPORTED[id] ?? [])].sort());
      expect(await ruleIds(r.docs.useInstead[lang], file)).toEqual([]);
    }, 60_000);
  }
});
