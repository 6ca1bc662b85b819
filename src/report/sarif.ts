// `--format sarif` (SPEC §9): SARIF 2.1.0 for GitHub code scanning and other viewers. One
// reporting descriptor per rule (all of them, in id order, so `ruleIndex` is stable), its
// documentation as help; results with relative URIs under %SRCROOT% (the repository root)
// and partialFingerprints that survive line shifts (src/engine/fingerprint.ts).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { ALL_RULES } from '../../rules/index.js';
import { fingerprintOf } from '../engine/fingerprint.js';
import type { FileAnalysis, Finding, Report } from '../model.js';
import type { Rule } from '../rule.js';

export const SARIF_SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
/** The partialFingerprints key; the `/v1` changes if the recipe ever does. */
export const FINGERPRINT_KEY = 'handshakeGuardFinding/v1';
const SRCROOT = '%SRCROOT%';

export interface SarifInput {
  report: Report;
  /** Every finding of the run, suppressed ones included (they carry a `suppressions` entry). */
  findings: readonly Finding[];
  files: readonly FileAnalysis[];
  cwd: string;
  /** The repository root (the working directory outside a repository): URIs are relative to it. */
  root: string;
}

export function renderSarif(input: SarifInput): string {
  return `${JSON.stringify(buildSarif(input), null, 2)}\n`;
}

export function buildSarif(input: SarifInput): Log {
  const { report } = input;
  const rules = ALL_RULES.map(descriptor);
  const ruleIndex = new Map(ALL_RULES.map((r, i) => [r.id, i]));
  const byFile = new Map(input.files.map((f) => [f.file, f]));
  const occurrences = new Map<string, number>();
  const results: Result[] = [];
  for (const f of input.findings) {
    const file = repoPath(input, f.file);
    const print = fingerprintOf(f, file, byFile.get(f.file)?.lines);
    // Like GitHub's own primaryLocationLineHash: `hash:n` for the n-th finding with that hash.
    const n = (occurrences.get(print) ?? 0) + 1;
    occurrences.set(print, n);
    const result: Result = {
      ruleId: f.ruleId,
      ruleIndex: ruleIndex.get(f.ruleId) ?? -1,
      level: f.severity,
      message: { text: f.message },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: encodeUri(file), uriBaseId: SRCROOT },
            region: region(f),
          },
          ...(f.loop ? { logicalLocations: [{ fullyQualifiedName: f.loop.function, kind: 'function' }] } : {}),
        },
      ],
      partialFingerprints: { [FINGERPRINT_KEY]: `${print}:${n}` },
    };
    if (f.baselined) result.baselineState = 'unchanged';
    else if (f.suppressed) result.suppressions = [{ kind: 'inSource' }];
    results.push(result);
  }
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            rules,
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: `${pathToFileURL(input.root).href.replace(/\/?$/, '/')}` } },
        columnKind: 'utf16CodeUnits',
        results,
        invocations: [{ executionSuccessful: true }],
        // The verification table, for viewers that show run properties.
        properties: { checks: report.checks.map((c) => ({ ...c })), summary: { ...report.summary } },
      },
    ],
  };
}

function descriptor(rule: Rule): ReportingDescriptor {
  const { docs } = rule;
  const block = (lang: string, code: string): string => ['```' + lang, code.replace(/\n+$/, ''), '```'].join('\n');
  const markdown = [
    `**${rule.id} ${rule.name}** — ${rule.summary}`,
    '## What it does',
    docs.whatItDoes,
    '## Why is this bad?',
    docs.whyIsThisBad,
    '## Example',
    block('python', docs.example.python),
    block('typescript', docs.example.typescript),
    '## Use instead',
    block('python', docs.useInstead.python),
    block('typescript', docs.useInstead.typescript),
  ].join('\n\n');
  const text = [
    `${rule.id} ${rule.name}: ${rule.summary}`,
    `What it does: ${docs.whatItDoes}`,
    `Why is this bad? ${docs.whyIsThisBad}`,
    `Example (Python):\n${docs.example.python}`,
    `Use instead (Python):\n${docs.useInstead.python}`,
    `Run \`handshake-guard explain ${rule.id}\` for the TypeScript examples.`,
  ].join('\n\n');
  return {
    id: rule.id,
    name: pascal(rule.name),
    shortDescription: { text: rule.summary },
    fullDescription: { text: docs.whatItDoes },
    help: { text, markdown },
    defaultConfiguration: { level: rule.defaultSeverity },
    properties: { tags: ['websocket', 'handshake', rule.checkId], precision: 'high', 'problem.severity': rule.defaultSeverity },
  };
}

/** SARIF regions count from 1; an end column is exclusive, as ours is. */
function region(f: Finding): { startLine: number; startColumn: number; endLine?: number; endColumn?: number } {
  const r: { startLine: number; startColumn: number; endLine?: number; endColumn?: number } = {
    startLine: Math.max(1, f.line),
    startColumn: Math.max(1, f.column),
  };
  if (f.endLine >= r.startLine) {
    r.endLine = f.endLine;
    if (f.endLine > r.startLine || f.endColumn > r.startColumn) r.endColumn = Math.max(1, f.endColumn);
  }
  return r;
}

/** A display path (relative to the cwd) as a path from the repository root, `/`-separated. */
function repoPath(input: { cwd: string; root: string }, file: string): string {
  return path.relative(input.root, path.resolve(input.cwd, file)).split(path.sep).join('/');
}

/**
 * A relative path as a relative URI reference: every segment percent-encoded (RFC 3986), so
 * `a,b:c.py` cannot read as a scheme and `#`, `?` and spaces stay part of the path.
 */
export function encodeUri(relPath: string): string {
  return relPath
    .split('/')
    .map((seg) => encodeURIComponent(seg).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function pascal(kebab: string): string {
  return kebab.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
