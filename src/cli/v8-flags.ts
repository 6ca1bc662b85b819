// The V8 flags the CLI sets for itself (process-wide: worker threads get them too). V8 answers a
// flag it does not know with "Error: unrecognized flag" on stdout — inside a JSON or SARIF
// report — so they are set only on the V8 versions known to define them.
import v8 from 'node:v8';

/** V8 major versions known to define every flag below: Node 20 has 11.3, Node 25 has 14.1. */
const KNOWN_MAJORS = { min: 11, max: 14 };

/**
 * V8 compiles hot WebAssembly again with its optimising compiler. At the default budget the
 * tree-sitter parser gets there within one small file: ~0.1 s of CPU that a pre-commit run of a
 * few files never earns back. A hundred times the budget still tiers up a large scan within its
 * first files (5,000-file scan: same time).
 */
const WASM_TIER_UP_LATER = '--wasm-tiering-budget=500000000';

/** The flags to set on a V8 of this version (`process.versions.v8`); none on one not known to have them. */
export function cliV8Flags(v8Version: string): string[] {
  const major = Number(/^(\d+)\./.exec(v8Version)?.[1] ?? NaN);
  return major >= KNOWN_MAJORS.min && major <= KNOWN_MAJORS.max ? [WASM_TIER_UP_LATER] : [];
}

export function setCliV8Flags(): void {
  for (const flag of cliV8Flags(process.versions.v8)) v8.setFlagsFromString(flag);
}
