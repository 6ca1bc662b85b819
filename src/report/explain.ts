// `handshake-guard explain <rule>`: the rule's documentation as Markdown-like text.

import { Chalk } from 'chalk';
import { TITLES as CHECK_TITLES } from '../checks/support.js';
import type { Rule } from '../rule.js';

function codeBlock(language: 'python' | 'typescript', code: string): string {
  return ['```' + language, code.replace(/\n+$/, ''), '```'].join('\n');
}

export function renderExplain(rule: Rule, color: boolean): string {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const heading = (text: string): string => chalk.bold(`## ${text}`);
  const { docs } = rule;
  const parts = [
    `${rule.id} (${rule.name}) — ${rule.defaultSeverity}, fixable: ${rule.fixable ? 'yes' : 'no'}, check: ${CHECK_TITLES[rule.checkId]}`,
    rule.summary,
    heading('What it does'),
    docs.whatItDoes,
    heading('Why is this bad?'),
    docs.whyIsThisBad,
    heading('Example'),
    codeBlock('python', docs.example.python),
    codeBlock('typescript', docs.example.typescript),
    heading('Use instead'),
    codeBlock('python', docs.useInstead.python),
    codeBlock('typescript', docs.useInstead.typescript),
  ];
  return parts.join('\n\n') + '\n';
}
