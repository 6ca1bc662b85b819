// The rule registry: every rule module, in id order (the order of `explain`, SARIF and the docs).

import type { Rule } from '../src/rule.js';
import { rule as HG000 } from './HG000-suppression.js';
import { rule as HG001 } from './HG001-receive-before-guard.js';
import { rule as HG002 } from './HG002-guard-mismatch.js';
import { rule as HG003 } from './HG003-unbounded-wait.js';
import { rule as HG004 } from './HG004-blocking-sleep.js';
import { rule as HG005 } from './HG005-wall-clock-deadline.js';
import { rule as HG006 } from './HG006-no-fallback.js';
import { rule as HG007 } from './HG007-silent-timeout.js';
import { rule as HG008 } from './HG008-parameter-out-of-range.js';
import { rule as HG009 } from './HG009-waits-on-terminal-state.js';
import { rule as HG010 } from './HG010-unresolved-name.js';
import { rule as HG011 } from './HG011-syntax-error.js';
import { rule as HG012 } from './HG012-accept-missing.js';
import { rule as HG013 } from './HG013-open-before-response.js';

export const ALL_RULES: readonly Rule[] = Object.freeze([
  HG000,
  HG001,
  HG002,
  HG003,
  HG004,
  HG005,
  HG006,
  HG007,
  HG008,
  HG009,
  HG010,
  HG011,
  HG012,
  HG013,
]);

/** A rule by id (`hg004`) or name (`Blocking-Sleep`), case-insensitively. */
export function findRule(idOrName: string): Rule | undefined {
  const wanted = idOrName.trim().toLowerCase();
  return ALL_RULES.find((rule) => rule.id.toLowerCase() === wanted || rule.name === wanted);
}
