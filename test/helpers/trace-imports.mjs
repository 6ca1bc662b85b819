// `node --import=this` appends every module URL the process resolves to $HG_TRACE_IMPORTS
// (test/cache.test.ts: a warm scan must not load the parsers).
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (process.env.HG_TRACE_IMPORTS) appendFileSync(process.env.HG_TRACE_IMPORTS, r.url + '\\n');
  return r;
}
`),
);
