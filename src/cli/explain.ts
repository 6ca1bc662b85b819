// `handshake-guard explain <rule>`: a rule's documentation; without a rule, the list of rules.
import { ALL_RULES, findRule } from '../../rules/index.js';
import { UsageError } from '../errors.js';
import { renderExplain } from '../report/explain.js';
import { useColor } from './color.js';

export function explainCommand(ruleId: string | undefined, opts: { color?: boolean }): number {
  const color = useColor(opts, false);
  if (!ruleId) {
    const rows = ALL_RULES.map((r) => `${r.id}  ${r.name.padEnd(26)} ${r.defaultSeverity.padEnd(8)} ${r.summary}`);
    process.stdout.write(`${rows.join('\n')}\n`);
    return 0;
  }
  const rule = findRule(ruleId);
  if (!rule) throw new UsageError(`unknown rule "${ruleId}" (run \`handshake-guard explain\` for the list)`);
  process.stdout.write(renderExplain(rule, color));
  return 0;
}
