// The verification table (SPEC §5): eight rows, in this order, each backed by a real check.
import type { DeletedFile } from '../engine/deleted.js';
import type { CheckResult } from '../model.js';
import type { ConsistencyGroup } from '../rule.js';
import { checkBreaking, type BreakingFile } from './breaking.js';
import type { BaseLookup } from './breaking-base.js';
import { checkConsistency } from './consistency.js';
import { checkCoverage } from './coverage.js';
import { checkImports } from './imports.js';
import type { CheckInput } from './input.js';
import { checkLogic } from './logic.js';
import { checkParameters } from './parameters.js';
import { checkPerformance } from './performance.js';
import { checkSyntaxAll } from './syntax-scripts.js';

export interface TableInput extends CheckInput {
  groups: ConsistencyGroup[];
  cwd: string;
  base: string | null;
  baseLabel?: string;
  sources: BreakingFile[];
  /** The git repository's root as the run found it (null: none); the breaking row need not ask again. */
  repoRoot?: string | null;
  /** The breaking row's git questions, started while the files were read. */
  baseLookup?: BaseLookup;
  /** Files the base has that are gone now: every public name they had is removed. */
  deleted?: DeletedFile[];
  /** Any file's content as the run reads it (the modules an `export * from` names). */
  readSource?: (absPath: string) => string | null;
}

export async function runChecks(input: TableInput): Promise<CheckResult[]> {
  return [
    checkSyntaxAll(input),
    checkImports(input),
    checkCoverage(input),
    checkConsistency(input, input.groups),
    checkLogic(input),
    checkParameters(input),
    await checkBreaking({ cwd: input.cwd, files: input.sources, base: input.base, ...(input.baseLabel ? { baseLabel: input.baseLabel } : {}), ...(input.repoRoot !== undefined ? { root: input.repoRoot } : {}), ...(input.baseLookup ? { early: input.baseLookup } : {}), ...(input.deleted ? { deleted: input.deleted } : {}), ...(input.readSource ? { readSource: input.readSource } : {}) }),
    checkPerformance(input),
  ];
}

export type { CheckInput } from './input.js';
