// `explain HG012` must describe what the scan reports: every call its documentation lists as a use
// of the server end is reported before accept(), and the calls it says are not uses (listeners,
// attachments — Cloudflare allows them before accept(), hono attaches its listeners first) are not.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { rule } from '../rules/HG012-accept-missing.js';
import { run } from '../src/engine/run.js';
import { tempTree } from './helpers/cli.js';

const doc = rule.docs.whatItDoes;

function calls(text: string): string[] {
  return [...text.matchAll(/`(?:server\.)?(\w+)`/g)].map((x) => x[1] as string);
}

async function hg012Lines(method: string): Promise<number[]> {
  const dir = tempTree({});
  const arg = method.endsWith('EventListener') ? `'message', () => undefined` : method === 'serializeAttachment' ? '{ id: 1 }' : `'x'`;
  const code = [
    'export function handle(): Response {',
    '  const [client, server] = Object.values(new WebSocketPair());',
    `  server.${method}(${arg});`,
    '  server.accept();',
    '  return new Response(null, { status: 101, webSocket: client });',
    '}',
    '',
  ].join('\n');
  writeFileSync(path.join(dir, 'worker.ts'), code);
  const r = await run({ cwd: dir, paths: ['.'], cache: false });
  return r.findings.filter((f) => f.ruleId === 'HG012').map((f) => f.line);
}

const reported = calls(/reports a use of[^(]*\(([^)]*)\)/.exec(doc)?.[1] ?? '');
const notUses = calls(/Listeners \(([^)]*)\) and attachments \(([^)]*)\) are not uses/.exec(doc)?.slice(1).join(' ') ?? '');

it('the documentation lists the reported uses and the calls that are not uses, apart', () => {
  expect(reported).toEqual(['send', 'close']);
  expect(notUses).toEqual(['addEventListener', 'removeEventListener', 'serializeAttachment']);
});

it.each(reported)('server.%s before accept() is reported, as the documentation says', async (method) => {
  expect(await hg012Lines(method)).toEqual([3]);
});

it.each(notUses)('server.%s before accept() is not reported, as the documentation says', async (method) => {
  expect(await hg012Lines(method)).toEqual([]);
});
