#!/usr/bin/env node
// Deterministic generator of a large, realistic Python project tree for benchmarking
// `handshake-guard scan` (see bench/README.md).
//
//   node bench/generate.mjs --out bench/.corpus/python --files 5000 [--seed 1] [--ws-share 0.02]
//
// Same arguments → byte-identical tree: every random choice comes from a seeded PRNG
// (sfc32, seeded per file from the seed and the file's path), never Math.random, and
// nothing depends on the clock or on iteration order of the file system.
//
// The tree: `pyproject.toml`, `src/<project>/<package>/{__init__,models,services,utils,
// api,…}.py` and `tests/<package>/test_*.py`, ~280 lines per file on average. About
// `--ws-share` of the files are FastAPI/Starlette WebSocket modules whose message loops
// come in varied shapes (no guard, single-shot checks, bounded polling guards inline,
// while…else, via a helper imported from `<project>/core/ws_guards.py`, before the loop),
// plus queue/anyio-stream worker loops that are *not* message loops. What was generated
// is written to `<out>/bench-manifest.json` (not a .py file, so never scanned): every
// message loop with its file, line, function, shape and the guard kind the SPEC expects,
// and every decoy loop that must not be reported. `scan-bench.mjs` compares the scan with it.

import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const GENERATOR_VERSION = 1;

// ---------------------------------------------------------------- PRNG

function hashSeed(text) {
  const h = createHash('sha256').update(text).digest();
  return [h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8), h.readUInt32LE(12)];
}

/** sfc32: small, fast, good enough statistically, and fully deterministic. */
export class Rng {
  constructor(seedText) {
    [this.a, this.b, this.c, this.d] = hashSeed(String(seedText));
    for (let i = 0; i < 12; i++) this.u32();
  }
  u32() {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    Object.assign(this, { a, b, c, d });
    return t >>> 0;
  }
  next() {
    return this.u32() / 4294967296;
  }
  int(lo, hi) {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p) {
    return this.next() < p;
  }
  pick(arr) {
    return arr[Math.floor(this.next() * arr.length)];
  }
  /** `pairs`: [[value, weight], …] */
  weighted(pairs) {
    const total = pairs.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [v, w] of pairs) {
      r -= w;
      if (r < 0) return v;
    }
    return pairs[pairs.length - 1][0];
  }
  sample(arr, n) {
    const copy = [...arr];
    const out = [];
    while (out.length < n && copy.length) out.push(copy.splice(Math.floor(this.next() * copy.length), 1)[0]);
    return out;
  }
  /** A roughly log-normal integer around `median` (Box–Muller, clamped). */
  lognormal(median, sigma, lo, hi) {
    const u = Math.max(this.next(), 1e-9);
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.min(hi, Math.max(lo, Math.round(median * Math.exp(sigma * z))));
  }
}

// ---------------------------------------------------------------- vocabulary

const NOUNS = `account address agent alert allocation amount answer archive asset attachment audit
author balance basket batch bid billing block booking branch bucket budget buffer build bundle
cache campaign candidate capacity card cart catalog category channel charge checkout claim client
cluster code comment commit company config contact container contract cost counter coupon credit
currency customer cursor dashboard dataset deadline delivery deployment device discount document
domain draft driver entry event export feature feed field file filter flag forecast form frame
gateway grant group handler header history host image import incident index inventory invoice
item job journal key label ledger limit line link listing locale lock log manifest margin market
member message metric migration model module notice offer order owner package page parcel partner
payload payment payout period permission plan policy pool position post price product profile
project promotion provider purchase quota quote rate receipt record refund region release report
request reservation resource response result review reward role route rule run schedule schema
score segment session setting shard shipment signal sku slot snapshot source spec stage statement
status step stock store stream subscription summary supplier task tax team template tenant ticket
tier token topic trade transfer trend trigger upload usage user vendor version voucher warehouse
webhook widget window workflow workspace zone`.split(/\s+/);

const VERBS = `accept add aggregate allocate apply approve archive assign attach audit build
calculate cancel capture charge check clean close collect compute confirm convert copy count create
decode delete deliver dispatch emit encode enrich ensure estimate evaluate expand expire export
extract fetch filter find flush format forward generate group handle import index initialize load
lock lookup mark match merge migrate normalize notify parse persist prepare process publish purge
rank read rebuild reconcile record refresh register reject release reload remove render replay
report request reserve reset resolve restore retry rotate route sample save schedule score search
select send serialize settle ship sign snapshot sort split store submit summarize sync tag track
transform translate trim update upload validate verify warm write`.split(/\s+/);

const ADJS = `active archived available base cached canonical closed current daily default
deferred draft effective empty expired external failed final first global hidden inbound initial
internal last latest legacy local locked manual max min monthly next open outbound partial pending
primary private public queued raw recent remote scheduled secondary shared stale total unread
valid visible weekly`.split(/\s+/);

// Python keywords and soft keywords never become identifiers.
const KEYWORDS = new Set('False None True and as assert async await break case class continue def del elif else except finally for from global if import in is lambda match nonlocal not or pass raise return try type while with yield'.split(' '));
for (const list of [NOUNS, VERBS, ADJS]) {
  for (let i = list.length - 1; i >= 0; i--) if (KEYWORDS.has(list[i]) || list[i] === '') list.splice(i, 1);
}

const PROJECT_NAMES = ['atlas', 'harbor', 'meridian', 'northwind', 'orbit', 'quarry', 'sable', 'tidewater'];

const PKG_NAMES = `accounts analytics auth billing catalog checkout crm delivery documents events
fulfillment gateway identity incidents inventory invoicing ledger marketing messaging metering
notifications onboarding orders partners payments payouts pricing procurement profiles promotions
quotes recommendations reporting reservations returns reviews scheduling search settlements
shipping storage subscriptions support tax telemetry tenants ticketing timeline uploads vendors
warehouse webhooks workflows workspaces`.split(/\s+/);

const SUBMODULE_KINDS = [
  ['models', 22],
  ['services', 22],
  ['repositories', 9],
  ['utils', 11],
  ['schemas', 9],
  ['tasks', 6],
  ['api', 9],
  ['clients', 5],
  ['validators', 4],
  ['events', 3],
];

const STDLIB_IMPORTS = [
  'import asyncio',
  'import base64',
  'import csv',
  'import functools',
  'import hashlib',
  'import itertools',
  'import json',
  'import logging',
  'import math',
  'import os',
  'import re',
  'import statistics',
  'import time',
  'import uuid',
  'from collections import Counter, defaultdict, deque',
  'from collections.abc import Iterable, Iterator, Mapping, Sequence',
  'from contextlib import asynccontextmanager, contextmanager, suppress',
  'from dataclasses import asdict, dataclass, field, replace',
  'from datetime import date, datetime, timedelta, timezone',
  'from decimal import ROUND_HALF_UP, Decimal',
  'from enum import Enum, IntEnum',
  'from functools import cached_property, lru_cache, partial',
  'from pathlib import Path',
  'from typing import Any, ClassVar, Generic, Protocol, TypeVar',
];

const THIRD_PARTY_IMPORTS = [
  'import httpx',
  'import sqlalchemy as sa',
  'from pydantic import BaseModel, Field, field_validator',
  'from sqlalchemy.ext.asyncio import AsyncSession',
  'from sqlalchemy.orm import Mapped, mapped_column',
  'import structlog',
  'from tenacity import retry, stop_after_attempt, wait_exponential',
  'import orjson',
  'from redis.asyncio import Redis',
  'import anyio',
];

const EXCEPTIONS = ['ValueError', 'KeyError', 'TypeError', 'LookupError', 'RuntimeError', 'TimeoutError', 'OSError'];
const TYPES = ['int', 'str', 'float', 'bool', 'Decimal', 'datetime', 'dict[str, Any]', 'list[str]', 'list[int]', 'str | None', 'int | None', 'bytes', 'set[str]', 'tuple[int, int]'];

const plural = (w) => (/[^aeiou]y$/.test(w) ? `${w.slice(0, -1)}ies` : /(s|x|ch|sh)$/.test(w) ? `${w}es` : `${w}s`);
const cap = (s) => s.charAt(0).toUpperCase() + s.slice(1);
const camel = (...parts) => parts.map(cap).join('');

// ---------------------------------------------------------------- writer

class Py {
  constructor() {
    this.lines = [];
    this.depth = 0;
  }
  get lineNo() {
    return this.lines.length + 1; // 1-based number of the next line written
  }
  line(text = '') {
    if (text === '') {
      this.lines.push('');
      return;
    }
    const indent = '    '.repeat(this.depth);
    const wrapped = indent.length + text.length > 88 ? blackWrap(text) : null;
    if (!wrapped) this.lines.push(indent + text);
    else for (const l of wrapped) this.lines.push(indent + l);
  }
  blank(n = 1) {
    for (let i = 0; i < n; i++) this.lines.push('');
  }
  block(header, body) {
    this.line(header);
    this.depth++;
    const before = this.lines.length;
    body();
    // A block needs one statement: blank lines and comments do not count.
    if (!this.lines.slice(before).some((l) => l.trim() !== '' && !l.trim().startsWith('#'))) this.line('pass');
    this.depth--;
  }
  text() {
    while (this.lines.length && this.lines[this.lines.length - 1] === '') this.lines.pop();
    return `${this.lines.join('\n')}\n`;
  }
}

/**
 * Black-style wrapping of a long line at its last top-level bracket pair: `f(a, b)` →
 * `f(` / `    a,` / `    b,` / `)`. Returns null when the line has no such pair.
 */
function blackWrap(text) {
  if (text.startsWith('#') || text.startsWith('"""')) return null;
  let depth = 0;
  let quote = null;
  let open = -1;
  let close = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) {
      if (depth === 0) open = i;
      depth++;
    } else if (')]}'.includes(c)) {
      depth--;
      if (depth === 0) close = i;
    }
  }
  if (open < 0 || close < open) return null;
  const tail = text.slice(close + 1);
  if (!/^(\s*->\s*[^()]*)?:?$/.test(tail)) return null;
  const inner = text.slice(open + 1, close);
  const parts = [];
  let cur = '';
  depth = 0;
  quote = null;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if (quote) {
      cur += c;
      if (c === '\\') cur += inner[++i] ?? '';
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    if (c === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  if (parts.length === 0) return null;
  // A lone generator argument or a comprehension takes no trailing comma.
  const noComma = parts.length === 1 && / for /.test(parts[0]);
  return [text.slice(0, open + 1), ...parts.map((x) => `    ${x}${noComma ? '' : ','}`), text.slice(close)];
}

// ---------------------------------------------------------------- ordinary code

/** Per-file naming context: a few nouns the module is "about", so names repeat as in real code. */
class Names {
  constructor(rng, topic) {
    this.rng = rng;
    this.topic = topic;
    this.nouns = [topic, ...rng.sample(NOUNS, 6)];
  }
  noun() {
    return this.rng.chance(0.55) ? this.rng.pick(this.nouns) : this.rng.pick(NOUNS);
  }
  var() {
    const r = this.rng;
    return r.weighted([
      [() => this.noun(), 3],
      [() => `${r.pick(ADJS)}_${this.noun()}`, 3],
      [() => `${this.noun()}_${r.pick(['id', 'ids', 'count', 'map', 'rows', 'items', 'key', 'total', 'payload', 'state', 'ts'])}`, 4],
      [() => plural(this.noun()), 2],
    ])();
  }
  fn() {
    const r = this.rng;
    return r.chance(0.6) ? `${r.pick(VERBS)}_${this.noun()}` : `${r.pick(VERBS)}_${r.pick(ADJS)}_${plural(this.noun())}`;
  }
  cls(suffix) {
    const r = this.rng;
    const s = suffix ?? r.pick(['Service', 'Repository', 'Manager', 'Handler', 'Record', 'Config', 'Client', 'Builder', 'Policy', 'Snapshot', 'Summary', 'Event']);
    return r.chance(0.4) ? camel(r.pick(ADJS), this.noun()) + s : camel(this.noun()) + s;
  }
  words(n) {
    const r = this.rng;
    const out = [];
    for (let i = 0; i < n; i++) out.push(r.weighted([[() => r.pick(NOUNS), 4], [() => r.pick(VERBS), 2], [() => r.pick(ADJS), 2], [() => r.pick(['the', 'a', 'for', 'of', 'when', 'is', 'not', 'with', 'and', 'to', 'from', 'in']), 5]])());
    return out.join(' ');
  }
  sentence(lo = 4, hi = 11) {
    const s = this.words(this.rng.int(lo, hi));
    return cap(s) + '.';
  }
}

function literal(r, n) {
  return r.weighted([
    [() => String(r.int(0, 5000)), 4],
    [() => (r.next() * 1000).toFixed(r.int(1, 3)), 2],
    [() => `"${n.words(r.int(1, 4))}"`, 4],
    [() => `"${n.noun()}-${r.int(100, 99999)}"`, 2],
    [() => r.pick(['None', 'True', 'False']), 2],
    [() => `Decimal("${r.int(0, 999)}.${String(r.int(0, 99)).padStart(2, '0')}")`, 1],
    [() => `timedelta(${r.pick(['seconds', 'minutes', 'hours', 'days'])}=${r.int(1, 90)})`, 1],
  ])();
}

function expr(r, n, ctx, depth = 0) {
  const v = () => (ctx.locals.length && r.chance(0.7) ? r.pick(ctx.locals) : n.var());
  const kinds = [
    [() => literal(r, n), 3],
    [() => v(), 4],
    [() => `${v()}.${n.var()}`, 3],
    [() => `${ctx.self ? 'self.' : ''}${n.fn()}(${args(r, n, ctx, depth)})`, 4],
    [() => `${v()}.get("${n.var()}", ${literal(r, n)})`, 2],
    [() => { const it = n.noun(); return `[${it}.${n.var()} for ${it} in ${v()}${r.chance(0.6) ? ` if ${it}.${r.pick(ADJS)}` : ''}]`; }, 2],
    [() => { const it = n.noun(); return `{${it}.${r.pick(['id', 'key', 'name', 'code'])}: ${it} for ${it} in ${v()}}`; }, 1],
    [() => { const it = n.noun(); return `sum(${it}.${r.pick(['amount', 'total', 'quantity', 'weight', 'size'])} for ${it} in ${v()})`; }, 2],
    [() => `len(${v()})`, 2],
    [() => `f"${n.words(r.int(1, 3))} {${v()}}${r.chance(0.5) ? ` ${n.words(r.int(1, 2))} {${v()}${r.pick(['', '!r', ':>8', ':.2f', ':%Y-%m-%d'])}}` : ''}"`, 3],
    [() => { const p = n.noun().charAt(0); return `sorted(${v()}, key=lambda ${p}: ${p}.${r.pick(['created_at', 'priority', 'name', 'score', 'updated_at'])}${r.chance(0.3) ? ', reverse=True' : ''})`; }, 1],
    [() => `${v()} ${r.pick(['+', '-', '*', '//', '%'])} ${r.int(1, 512)}`, 2],
    [() => `${v()} if ${v()}${r.chance(0.5) ? ' is not None' : ''} else ${literal(r, n)}`, 1],
    [() => `{"${n.var()}": ${v()}, "${n.var()}": ${literal(r, n)}}`, 2],
    [() => `max(${v()}, ${r.int(0, 100)})`, 1],
    [() => `datetime.now(timezone.utc) - timedelta(${r.pick(['minutes', 'hours', 'days'])}=${r.int(1, 72)})`, 1],
  ];
  if (ctx.async) kinds.push([() => `await ${ctx.self ? 'self._' : ''}${n.fn()}(${args(r, n, ctx, depth)})`, 3]);
  // Arguments of arguments stay simple, as in real code (and keeps lines short).
  if (depth >= 1) return r.weighted([...kinds.slice(0, 3), kinds[8], kinds[4]])();
  return r.weighted(kinds)();
}

function args(r, n, ctx, depth) {
  const k = r.weighted([[0, 2], [1, 5], [2, 3], [3, 0.7]]);
  const out = [];
  for (let i = 0; i < k; i++) out.push(r.chance(0.3) ? `${n.var()}=${expr(r, n, ctx, depth + 1)}` : expr(r, n, ctx, depth + 1));
  // keyword arguments after positional ones
  out.sort((a, b) => Number(/^\w+=/.test(a)) - Number(/^\w+=/.test(b)));
  return out.join(', ');
}

function cond(r, n, ctx) {
  const v = () => (ctx.locals.length && r.chance(0.7) ? r.pick(ctx.locals) : n.var());
  return r.weighted([
    [() => `not ${v()}`, 2],
    [() => `${v()} is None`, 2],
    [() => `${v()}.${r.pick(['status', 'state', 'kind'])} == ${camel(n.noun())}Status.${r.pick(ADJS).toUpperCase()}`, 2],
    [() => `${v()} > ${r.int(0, 1000)}`, 2],
    [() => `isinstance(${v()}, ${r.pick(['dict', 'list', 'str', 'Decimal', camel(n.noun())])})`, 1],
    [() => `"${n.var()}" in ${v()}`, 1],
    [() => `${v()} and ${v()}.${r.pick(ADJS)}`, 1],
  ])();
}

function statements(w, r, n, ctx, budget, depth = 0) {
  // Writes roughly `budget` lines of statements.
  const start = w.lines.length;
  while (w.lines.length - start < budget) {
    const remaining = budget - (w.lines.length - start);
    const canNest = depth < 3 && remaining > 4;
    const kind = r.weighted([
      ['assign', 9],
      ['call', 4],
      ['log', 2],
      ['if', canNest ? 4 : 0],
      ['for', canNest ? 3 : 0],
      ['try', canNest ? 2 : 0],
      ['with', canNest && depth < 2 ? 1 : 0],
      ['append', 2],
      ['comment', 1],
      ['blank', depth === 0 && w.lines.length > start ? 2 : 0],
    ]);
    switch (kind) {
      case 'assign': {
        const name = n.var();
        const ann = r.chance(0.15) ? `: ${r.pick(TYPES)}` : '';
        w.line(`${name}${ann} = ${expr(r, n, ctx)}`);
        ctx.locals.push(name);
        break;
      }
      case 'call':
        w.line(`${ctx.async && r.chance(0.4) ? 'await ' : ''}${ctx.self && r.chance(0.5) ? 'self.' : ''}${n.fn()}(${args(r, n, ctx, 0)})`);
        break;
      case 'log': {
        const lvl = r.weighted([['debug', 3], ['info', 3], ['warning', 1]]);
        const v = ctx.locals.length ? r.pick(ctx.locals) : n.var();
        w.line(`logger.${lvl}("${n.words(r.int(2, 5))} %s", ${v})`);
        break;
      }
      case 'if':
        w.block(`if ${cond(r, n, ctx)}:`, () => statements(w, r, n, ctx, r.int(1, 4), depth + 1));
        if (r.chance(0.3)) w.block(`elif ${cond(r, n, ctx)}:`, () => statements(w, r, n, ctx, r.int(1, 3), depth + 1));
        if (r.chance(0.35)) w.block('else:', () => statements(w, r, n, ctx, r.int(1, 3), depth + 1));
        break;
      case 'for': {
        const it = n.noun();
        const src = ctx.locals.length && r.chance(0.6) ? r.pick(ctx.locals) : `${n.var()}s`;
        const header = r.weighted([
          [`for ${it} in ${src}:`, 5],
          [`for index, ${it} in enumerate(${src}):`, 2],
          [`for ${it}_key, ${it} in ${src}.items():`, 2],
          [`for ${it} in ${src}[:${r.int(2, 200)}]:`, 1],
        ]);
        ctx.locals.push(it);
        const wasInLoop = ctx.inLoop;
        ctx.inLoop = true;
        w.block(header, () => statements(w, r, n, ctx, r.int(1, 5), depth + 1));
        ctx.inLoop = wasInLoop;
        break;
      }
      case 'try':
        w.block('try:', () => statements(w, r, n, ctx, r.int(1, 4), depth + 1));
        {
          const exc = r.pick(EXCEPTIONS);
          const other = r.pick(EXCEPTIONS.filter((e) => e !== exc));
          w.block(`except ${r.chance(0.3) ? `(${exc}, ${other})` : exc} as exc:`, () => {
            r.weighted([
              [() => w.line(`logger.exception("${n.words(r.int(2, 5))} failed: %s", exc)`), 3],
              [() => w.line(`raise ${camel(n.noun())}Error(f"${n.words(r.int(2, 4))}: {exc}") from exc`), 2],
              [() => { w.line(`logger.warning("${n.words(r.int(2, 4))}", exc_info=exc)`); w.line(ctx.inLoop ? 'continue' : `return ${literal(r, n)}`); }, 2],
            ])();
          });
        }
        if (r.chance(0.2)) w.block('finally:', () => w.line(`${ctx.self ? 'self.' : ''}${n.fn()}()`));
        break;
      case 'with':
        if (ctx.async && r.chance(0.5)) {
          const owner = ctx.self ? 'self._' : '';
          const header = r.pick([`async with ${owner}session.begin():`, `async with ${owner}lock:`, `async with ${owner}pool.acquire() as connection:`, `async with httpx.AsyncClient(timeout=${r.int(2, 30)}) as client:`]);
          w.block(header, () => statements(w, r, n, ctx, r.int(1, 4), depth + 1));
        } else {
          const header = r.pick([`with open(${n.var()}_path, encoding="utf-8") as handle:`, 'with suppress(KeyError):', ctx.self ? 'with self._lock:' : 'with suppress(LookupError):', `with tracer.start_as_current_span("${n.fn()}"):`]);
          w.block(header, () => statements(w, r, n, ctx, r.int(1, 4), depth + 1));
        }
        break;
      case 'append': {
        const target = ctx.locals.length ? r.pick(ctx.locals) : `${n.var()}s`;
        w.line(`${target}.${r.pick(['append', 'extend', 'add', 'update', 'discard'])}(${expr(r, n, ctx, 1)})`);
        break;
      }
      case 'comment':
        w.line(`# ${n.words(r.int(3, 10))}`);
        break;
      case 'blank':
        if (w.lines.length && w.lines[w.lines.length - 1] !== '') w.blank();
        break;
    }
  }
}

function params(r, n, withSelf) {
  const k = r.int(0, 4);
  const out = withSelf ? ['self'] : [];
  const names = [];
  for (let i = 0; i < k; i++) {
    let p = n.var();
    if (names.includes(p)) p = `${p}_${i}`;
    names.push(p);
    out.push(r.chance(0.25) ? `${p}: ${r.pick(TYPES)} = ${r.pick(['None', '0', '""', 'False', String(r.int(1, 100))])}` : `${p}: ${r.pick(TYPES)}`);
  }
  // parameters with defaults after those without
  const head = withSelf ? out.slice(0, 1) : [];
  const rest = withSelf ? out.slice(1) : out;
  rest.sort((a, b) => Number(a.includes(' = ')) - Number(b.includes(' = ')));
  return { text: [...head, ...rest].join(', '), names };
}

function writeFunction(w, r, n, { method = false, isAsync = r.chance(0.35), name = n.fn(), bodyLines = r.lognormal(12, 0.6, 3, 60) } = {}) {
  const property = method && !isAsync && r.chance(0.08);
  const p = property ? { text: 'self', names: [] } : params(r, n, method);
  if (property) w.line(r.pick(['@property', '@cached_property']));
  else if (!method && r.chance(0.08)) {
    w.line(isAsync ? `@retry(stop=stop_after_attempt(${r.int(2, 6)}), wait=wait_exponential(multiplier=${(r.next() * 2).toFixed(1)}))` : r.pick(['@lru_cache(maxsize=256)', '@functools.cache']));
  }
  const ret = r.chance(0.6) ? ` -> ${r.pick([...TYPES, 'None', `list[${camel(n.noun())}]`, `${camel(n.noun())} | None`])}` : '';
  w.block(`${isAsync ? 'async ' : ''}def ${name}(${p.text})${ret}:`, () => {
    if (r.chance(0.45)) {
      if (r.chance(0.5)) w.line(`"""${n.sentence()}"""`);
      else {
        w.line(`"""${n.sentence()}`);
        w.blank();
        w.line(n.sentence(6, 14));
        if (r.chance(0.5)) w.line(n.sentence(5, 12));
        w.line('"""');
      }
    }
    const ctx = { locals: [...p.names], async: isAsync, self: method, inLoop: false };
    statements(w, r, n, ctx, bodyLines);
    w.line(`return ${expr(r, n, ctx)}`);
  });
}

function writeDataclass(w, r, n) {
  w.line(r.pick(['@dataclass', '@dataclass(frozen=True)', '@dataclass(slots=True)', '@dataclass(kw_only=True)']));
  w.block(`class ${n.cls(r.pick(['Record', 'Snapshot', 'Summary', 'Event', 'Request', 'Result', 'Options']))}:`, () => {
    if (r.chance(0.6)) w.line(`"""${n.sentence()}"""`);
    const k = r.int(3, 10);
    const seen = new Set();
    const fields = [];
    for (let i = 0; i < k; i++) {
      const f = n.var();
      if (seen.has(f)) continue;
      seen.add(f);
      fields.push(f);
    }
    let defaults = false;
    fields.forEach((f, i) => {
      const t = r.pick(TYPES);
      // once a field has a default, every later one needs one too
      defaults ||= i >= fields.length - 2 && r.chance(0.6);
      const def = defaults ? (t.startsWith('list') || t.startsWith('dict') || t.startsWith('set') ? ` = field(default_factory=${t.split('[')[0]})` : ` = ${r.pick(['None', '0', '""', 'False'])}`) : '';
      w.line(`${f}: ${t}${def}`);
    });
    if (r.chance(0.5)) {
      w.blank();
      writeFunction(w, r, n, { method: true, isAsync: false, bodyLines: r.int(2, 8) });
    }
  });
}

function writeEnum(w, r, n) {
  const base = r.pick(['str, Enum', 'IntEnum', 'Enum']);
  w.block(`class ${camel(n.noun())}${r.pick(['Status', 'Kind', 'Stage', 'Level'])}(${base}):`, () => {
    const vals = r.sample(ADJS, r.int(3, 8));
    vals.forEach((v, i) => w.line(`${v.toUpperCase()} = ${base === 'IntEnum' ? i + 1 : `"${v}"`}`));
  });
}

function writeClass(w, r, n, targetLines) {
  const name = n.cls();
  const base = r.weighted([['', 4], ['(BaseModel)', 1], ['(Protocol)', 0.3], [`(${camel(r.pick(ADJS))}Base)`, 1], ['(Generic[T])', 0.3]]);
  const start = w.lines.length;
  w.block(`class ${name}${base}:`, () => {
    if (r.chance(0.7)) {
      w.line(`"""${n.sentence()}`);
      if (r.chance(0.5)) {
        w.blank();
        w.line(n.sentence(8, 16));
      }
      w.line('"""');
      w.blank();
    }
    if (r.chance(0.4)) {
      w.line(`${n.var().toUpperCase()}: ClassVar[int] = ${r.int(1, 10000)}`);
      w.blank();
    }
    const attrs = r.sample(NOUNS, r.int(1, 4));
    w.block(`def __init__(self, ${attrs.map((a) => `${a}: ${camel(a)}${r.pick(['Repository', 'Client', 'Config', 'Service'])}`).join(', ')}) -> None:`, () => {
      for (const a of attrs) w.line(`self._${a} = ${a}`);
      if (r.chance(0.5)) w.line(`self._${n.var()}: dict[str, Any] = {}`);
    });
    while (w.lines.length - start < targetLines) {
      w.blank();
      writeFunction(w, r, n, { method: true, name: r.chance(0.2) ? `_${n.fn()}` : n.fn() });
    }
  });
}

// What a module's body uses → what it imports: [pattern over the body, section, module, name | null].
// `null` = `import module`; else the name joins `from module import …`.
const IMPORT_RULES = [
  [/\basyncio\./, 'std', 'asyncio', null],
  [/\bjson\./, 'std', 'json', null],
  [/\btime\./, 'std', 'time', null],
  [/\bfunctools\./, 'std', 'functools', null],
  [/\blogging\.|\blogger\./, 'std', 'logging', null],
  [/@dataclass/, 'std', 'dataclasses', 'dataclass'],
  [/\bfield\(default_factory/, 'std', 'dataclasses', 'field'],
  [/\bDecimal\(/, 'std', 'decimal', 'Decimal'],
  [/\bdatetime\b/, 'std', 'datetime', 'datetime'],
  [/\btimedelta\(/, 'std', 'datetime', 'timedelta'],
  [/\btimezone\./, 'std', 'datetime', 'timezone'],
  [/\bsuppress\(/, 'std', 'contextlib', 'suppress'],
  [/@lru_cache/, 'std', 'functools', 'lru_cache'],
  [/@cached_property/, 'std', 'functools', 'cached_property'],
  [/\bAny\b/, 'std', 'typing', 'Any'],
  [/\bClassVar\[/, 'std', 'typing', 'ClassVar'],
  [/\bGeneric\[/, 'std', 'typing', 'Generic'],
  [/\(Protocol\)/, 'std', 'typing', 'Protocol'],
  [/\bTypeVar\(/, 'std', 'typing', 'TypeVar'],
  [/\(str, Enum\)|\(Enum\)/, 'std', 'enum', 'Enum'],
  [/\(IntEnum\)/, 'std', 'enum', 'IntEnum'],
  [/\bmock\./, 'std', 'unittest', 'mock'],
  [/\bhttpx\./, 'third', 'httpx', null],
  [/\banyio\./, 'third', 'anyio', null],
  [/\banyio\.abc\./, 'third', 'anyio.abc', null],
  [/\borjson\./, 'third', 'orjson', null],
  [/\bpytest\b/, 'third', 'pytest', null],
  [/\(BaseModel\)/, 'third', 'pydantic', 'BaseModel'],
  [/@retry\(/, 'third', 'tenacity', 'retry'],
  [/\bstop_after_attempt\(/, 'third', 'tenacity', 'stop_after_attempt'],
  [/\bwait_exponential\(/, 'third', 'tenacity', 'wait_exponential'],
  [/\btracer\./, 'third', 'opentelemetry', 'trace'],
];

/** Occasional imports a module does not use (real trees have some). */
const SPARE_IMPORTS = [
  ['std', 'os', null],
  ['std', 're', null],
  ['std', 'uuid', null],
  ['std', 'itertools', null],
  ['std', 'collections', 'defaultdict'],
  ['std', 'pathlib', 'Path'],
  ['std', 'collections.abc', 'Iterable'],
  ['std', 'collections.abc', 'Mapping'],
  ['third', 'sqlalchemy', null],
];

/**
 * The module's header: docstring, `from __future__`, then stdlib / third-party / first-party
 * imports (isort order) inferred from what `body` uses, plus `extra` ([section, module, name]).
 * Returns the lines, so that callers can shift line numbers recorded while writing the body.
 */
function headerLines(r, doc, body, extra = []) {
  const wanted = new Map(); // "section\0module" → Set(names) (null → plain import)
  const want = (section, mod, name) => {
    const key = `${section}\0${mod}`;
    if (!wanted.has(key)) wanted.set(key, new Set());
    wanted.get(key).add(name);
  };
  for (const [re, section, mod, name] of IMPORT_RULES) if (re.test(body)) want(section, mod, name);
  if (r.chance(0.35)) want(...r.pick(SPARE_IMPORTS));
  for (const e of extra) want(...e);
  const out = [...doc, 'from __future__ import annotations'];
  for (const section of ['std', 'third', 'first']) {
    const rows = [];
    for (const [key, names] of wanted) {
      const [sec, mod] = key.split('\0');
      if (sec !== section) continue;
      if (names.has(null)) rows.push([mod, `import ${mod}`]);
      const named = [...names].filter((x) => x !== null).sort((a, b) => a.localeCompare(b, 'en', { caseFirst: 'upper' }));
      if (named.length) rows.push([mod, `from ${mod} import ${named.join(', ')}`]);
    }
    if (!rows.length) continue;
    out.push('');
    rows.sort((a, b) => (a[0] === b[0] ? (a[1] < b[1] ? -1 : 1) : a[0] < b[0] ? -1 : 1));
    for (const [, line] of rows) out.push(line.length > 88 ? blackWrap(line).join('\n') : line);
  }
  out.push('');
  if (/\blogger\./.test(body) && !/^logger = /m.test(body)) {
    if (!wanted.has('std\0logging')) throw new Error('logger used without logging');
    out.push('logger = logging.getLogger(__name__)');
  }
  if (/\btracer\./.test(body)) out.push('tracer = trace.get_tracer(__name__)');
  return out.join('\n').split('\n');
}

function docLines(r, n, first) {
  const out = [`"""${first ?? n.sentence(4, 9)}`];
  if (r.chance(0.5)) out.push('', n.sentence(8, 16), n.sentence(6, 14));
  if (out.length === 1) return [`${out[0]}"""`];
  out.push('"""');
  return out;
}

/** Header + body; moves line numbers recorded in `manifest` since `mark` down by the header. */
function assemble(r, doc, w, extra, manifest, mark) {
  const body = w.text();
  const head = headerLines(r, doc, body, extra);
  if (manifest) {
    for (const e of manifest.loops.slice(mark.loops)) e.line += head.length;
    for (const e of manifest.decoys.slice(mark.decoys)) e.line += head.length;
  }
  return `${head.join('\n')}\n${body}`;
}

const markOf = (manifest) => ({ loops: manifest.loops.length, decoys: manifest.decoys.length });

/** Internal imports of the project: gives the repository index real cross-module names to resolve. */
function internalImports(r, ctx) {
  const out = [];
  for (let i = 0, k = r.int(0, 4); i < k; i++) {
    const mod = `${ctx.project}.${r.pick(ctx.packages)}.${r.pick(['models', 'services', 'utils', 'schemas'])}`;
    out.push(['first', mod, `${camel(r.pick(NOUNS))}${r.pick(['Record', 'Service', 'Config', 'Summary'])}`]);
  }
  return out;
}

function writeWorkerLoop(w, r, n, manifest, file) {
  // A loop that receives from a queue / anyio stream / channel: NOT a message loop (SPEC §3).
  const shape = r.pick(['queue-get', 'anyio-stream', 'channel-receive']);
  const fn = `${r.pick(['drain', 'consume', 'pump', 'process'])}_${n.noun()}_${r.pick(['queue', 'stream', 'events'])}`;
  if (shape === 'queue-get') {
    w.block(`async def ${fn}(queue: asyncio.Queue, stop: asyncio.Event) -> int:`, () => {
      w.line('handled = 0');
      manifest.decoys.push({ file, line: w.lineNo, function: fn, shape });
      w.block('while not stop.is_set():', () => {
        w.line('item = await queue.get()');
        w.block('try:', () => {
          w.line(`await ${n.fn()}(item)`);
          w.line('handled += 1');
        });
        w.block('finally:', () => w.line('queue.task_done()'));
      });
      w.line('return handled');
    });
  } else if (shape === 'anyio-stream') {
    w.block(`async def ${fn}(receive_stream: anyio.abc.ObjectReceiveStream) -> None:`, () => {
      manifest.decoys.push({ file, line: w.lineNo, function: fn, shape });
      w.block('while True:', () => {
        w.block('try:', () => w.line('event = await receive_stream.receive()'));
        w.block('except anyio.EndOfStream:', () => w.line('break'));
        w.line(`logger.debug("${n.words(3)} %s", event)`);
      });
    });
  } else {
    w.block(`async def ${fn}(channel, handler) -> None:`, () => {
      manifest.decoys.push({ file, line: w.lineNo, function: fn, shape });
      w.block('while True:', () => {
        w.line('message = await channel.receive()');
        w.block('if message is None:', () => w.line('return'));
        w.line('await handler(message)');
      });
    });
  }
}

function ordinaryModule(r, n, ctx, kind, targetLines, manifest, file) {
  const w = new Py();
  const mark = markOf(manifest);
  const doc = docLines(r, n);
  const needsAnyio = kind === 'tasks' || kind === 'events';
  w.line('logger = logging.getLogger(__name__)');
  if (r.chance(0.3)) w.line('T = TypeVar("T")');
  w.blank();
  for (let i = 0, k = r.int(1, 5); i < k; i++) w.line(`${n.var().toUpperCase()} = ${literal(r, n)}`);
  w.blank(2);
  let workerDone = !(needsAnyio && r.chance(0.35));
  while (w.lines.length < targetLines) {
    const what = r.weighted([
      ['function', kind === 'utils' ? 6 : 3],
      ['class', kind === 'services' || kind === 'repositories' || kind === 'clients' ? 5 : 2],
      ['dataclass', kind === 'models' || kind === 'schemas' ? 5 : 1],
      ['enum', kind === 'models' ? 2 : 0.5],
    ]);
    if (!workerDone && r.chance(0.3)) {
      writeWorkerLoop(w, r, n, manifest, file);
      workerDone = true;
    } else if (what === 'function') writeFunction(w, r, n);
    else if (what === 'class') writeClass(w, r, n, Math.min(targetLines - w.lines.length + 10, r.lognormal(80, 0.6, 20, 300)));
    else if (what === 'dataclass') writeDataclass(w, r, n);
    else writeEnum(w, r, n);
    w.blank(2);
  }
  return assemble(r, doc, w, internalImports(r, ctx), manifest, mark);
}

function testModule(r, n, ctx, targetLines) {
  const w = new Py();
  const doc = [`"""Tests for ${n.words(r.int(2, 5))}."""`];
  const subject = ['first', `${ctx.project}.${ctx.pkg}.${r.pick(['models', 'services', 'utils'])}`, `${camel(n.noun())}${r.pick(['Service', 'Record', 'Config'])}`];
  w.blank();
  while (w.lines.length < targetLines) {
    const what = r.weighted([['test', 6], ['param', 2], ['fixture', 1.5], ['async', 2], ['raises', 1.5]]);
    const name = `test_${n.fn()}${r.chance(0.5) ? `_${r.pick(['when', 'without', 'with', 'after', 'for'])}_${n.var()}` : ''}`;
    const ctxS = { locals: [], async: false, self: false, inLoop: false };
    if (what === 'fixture') {
      w.line('@pytest.fixture');
      w.block(`def ${n.var()}(${r.chance(0.4) ? 'tmp_path' : ''}):`, () => {
        statements(w, r, n, ctxS, r.int(2, 6));
        w.line(`return ${expr(r, n, ctxS)}`);
      });
    } else if (what === 'param') {
      const a = n.var();
      const b = n.var() + '_expected';
      w.line(`@pytest.mark.parametrize(`);
      w.line(`    ("${a}", "${b}"),`);
      w.line('    [');
      for (let i = 0, k = r.int(2, 6); i < k; i++) w.line(`        (${literal(r, n)}, ${literal(r, n)}),`);
      w.line('    ],');
      w.line(')');
      w.block(`def ${name}(${a}, ${b}):`, () => {
        ctxS.locals.push(a, b);
        statements(w, r, n, ctxS, r.int(1, 5));
        w.line(`assert ${n.fn()}(${a}) == ${b}`);
      });
    } else if (what === 'async') {
      w.line('@pytest.mark.asyncio');
      w.block(`async def ${name}():`, () => {
        ctxS.async = true;
        statements(w, r, n, ctxS, r.int(3, 10));
        w.line(`assert ${expr(r, n, ctxS)} ${r.pick(['==', '!=', 'is not', 'in'])} ${literal(r, n)}`);
      });
    } else if (what === 'raises') {
      w.block(`def ${name}():`, () => {
        statements(w, r, n, ctxS, r.int(1, 5));
        w.block(`with pytest.raises(${r.pick(EXCEPTIONS)}${r.chance(0.4) ? `, match="${n.words(2)}"` : ''}):`, () => w.line(`${n.fn()}(${args(r, n, ctxS, 0)})`));
      });
    } else {
      w.block(`def ${name}():`, () => {
        statements(w, r, n, ctxS, r.int(3, 14));
        for (let i = 0, k = r.int(1, 4); i < k; i++) w.line(`assert ${expr(r, n, ctxS, 1)} ${r.pick(['==', '!=', '>=', 'is', 'in'])} ${literal(r, n)}`);
      });
    }
    w.blank(2);
  }
  return assemble(r, doc, w, [subject], null, null);
}

function initModule(r, n, ctx) {
  const w = new Py();
  if (r.chance(0.3)) return '';
  w.line(`"""${cap(ctx.pkg ?? ctx.project)}: ${n.words(r.int(3, 8))}."""`);
  if (r.chance(0.6)) {
    w.blank();
    const names = r.sample(NOUNS, r.int(1, 5)).map((x) => camel(x) + r.pick(['Service', 'Record', 'Config']));
    w.line(`__all__ = [${names.map((x) => `"${x}"`).join(', ')}]`);
  }
  return w.text();
}

// ---------------------------------------------------------------- WebSocket modules

/** The guard helpers shared by the WebSocket modules (imported as `<project>.core.ws_guards`). */
function wsGuardsModule() {
  return `"""Shared WebSocket helpers: handshake checks used by the realtime routers."""
from __future__ import annotations

import asyncio
import logging
import time

from starlette.websockets import WebSocket, WebSocketState

logger = logging.getLogger(__name__)

HANDSHAKE_TIMEOUT = 3.0
HANDSHAKE_POLL_INTERVAL = 0.01


def is_connected(websocket: WebSocket) -> bool:
    """True when both sides of the connection report CONNECTED."""
    return (
        websocket.application_state == WebSocketState.CONNECTED
        and websocket.client_state == WebSocketState.CONNECTED
    )


async def wait_for_handshake(
    websocket: WebSocket,
    timeout: float = HANDSHAKE_TIMEOUT,
    interval: float = HANDSHAKE_POLL_INTERVAL,
) -> bool:
    """Wait, at most \`timeout\` seconds, until the handshake has completed."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if websocket.application_state == WebSocketState.CONNECTED:
            return True
        if (
            websocket.client_state == WebSocketState.DISCONNECTED
            or websocket.application_state == WebSocketState.DISCONNECTED
        ):
            return False
        await asyncio.sleep(interval)
    logger.warning("WebSocket handshake not complete after %.2f s", timeout)
    return False
`;
}

const WS_SHAPES = [
  // [shape, weight, expected guard kind per SPEC §3]
  ['none-while', 20, 'none'],
  ['none-async-for', 5, 'none'],
  ['none-wait-for', 5, 'none'],
  ['none-via-method', 5, 'none'],
  ['check-inline', 8, 'check'],
  ['check-helper', 12, 'check'],
  ['check-condition', 5, 'check'],
  ['polling-deadline', 10, 'polling'],
  ['polling-while-else', 18, 'polling'],
  ['polling-helper', 10, 'polling'],
  ['polling-before-loop', 5, 'polling'],
];
const EXPECTED = Object.fromEntries(WS_SHAPES.map(([s, , k]) => [s, k]));

function wsLoop(w, r, n, shape, ws, who, manifest, file, fnName, opts) {
  const recvMethod = r.weighted([['receive_json', 4], ['receive_text', 4], ['receive_bytes', 1], ['receive', 1]]);
  const wrap = shape === 'none-wait-for';
  const recvCall = `${ws}.${recvMethod}()`;
  const recv = wrap ? `await asyncio.wait_for(${recvCall}, timeout=${r.pick(['30', '60.0', 'IDLE_TIMEOUT'])})` : shape === 'none-via-method' ? `await self._read_frame(${ws})` : `await ${recvCall}`;
  const timeout = r.pick(['3.0', '3.0', '2.0', '5.0', 'HANDSHAKE_TIMEOUT']);
  const interval = r.pick(['0.01', '0.01', '0.05', '0.1', 'POLL_INTERVAL']);
  const clock = r.weighted([['time.monotonic()', 9], ['time.time()', 1]]);
  const exitsOnTerminal = r.chance(0.75);
  const logs = r.chance(0.85);
  const receive = shape === 'none-via-method' ? 'receive_json (via self._read_frame)' : recvMethod;
  // What SPEC §3's fingerprint should say about the inline polling guards written below.
  const value = (x) => Number(opts.consts[x] ?? x);
  const fingerprint = () => ({ timeoutSeconds: value(timeout), intervalSeconds: value(interval), clock: clock.startsWith('time.monotonic') ? 'monotonic' : 'wall', exitsOnTerminalState: exitsOnTerminal, logsOnTimeout: logs });
  const record = (extra = {}) => manifest.loops.push({ file, line: w.lineNo, function: fnName, shape, expectedGuard: EXPECTED[shape], receive, ...extra });

  const body = () => {
    w.block('try:', () => w.line(`${recvMethod === 'receive_bytes' ? 'frame' : recvMethod === 'receive' ? 'event' : 'message'} = ${recv}`));
    w.block('except WebSocketDisconnect:', () => {
      w.line(`logger.info("${who} %s disconnected", ${opts.idVar})`);
      w.line(opts.inMethod && r.chance(0.3) ? 'return' : 'break');
    });
    if (wrap) {
      w.block('except asyncio.TimeoutError:', () => {
        w.line(`await ${ws}.send_json({"type": "ping", "ts": time.time()})`);
        w.line('continue');
      });
    }
    if (recvMethod === 'receive_text') {
      w.block('try:', () => w.line('payload = json.loads(message)'));
      w.block('except json.JSONDecodeError:', () => {
        w.line(`await ${ws}.send_json({"type": "error", "detail": "invalid JSON"})`);
        w.line('continue');
      });
    } else if (recvMethod === 'receive_bytes') {
      w.line(`payload = ${r.pick(['orjson.loads(frame)', 'json.loads(frame.decode("utf-8"))'])}`);
    } else if (recvMethod === 'receive') {
      w.block('if event["type"] == "websocket.disconnect":', () => w.line(opts.inMethod ? 'return' : 'break'));
      w.line('payload = json.loads(event.get("text") or "{}")');
    } else {
      w.line('payload = message');
    }
    const kinds = r.sample(['subscribe', 'unsubscribe', 'ping', 'update', 'ack', 'query', 'cancel', 'resume'], r.int(2, 4));
    w.line('kind = payload.get("type")');
    kinds.forEach((k, i) => {
      w.block(`${i === 0 ? 'if' : 'elif'} kind == "${k}":`, () => {
        if (k === 'ping') w.line(`await ${ws}.send_json({"type": "pong", "ts": payload.get("ts")})`);
        else {
          w.line(`result = await ${opts.service}.${r.pick(VERBS)}_${n.noun()}(${opts.idVar}, payload${r.chance(0.5) ? `.get("${n.var()}")` : ''})`);
          w.line(`await ${ws}.send_json({"type": "${k}_ok", "result": result})`);
        }
      });
    });
    w.block('else:', () => {
      w.line(`logger.debug("unknown message type %r from %s", kind, ${opts.idVar})`);
      w.line(`await ${ws}.send_json({"type": "error", "detail": f"unknown type {kind!r}"})`);
    });
  };

  const stateName = r.pick(['application_state', 'client_state']);
  const fallbackLog = () => {
    if (logs) w.line(`logger.warning("${who} %s: handshake not complete after %s s; leaving loop", ${opts.idVar}, ${timeout})`);
  };
  const leave = opts.inMethod && r.chance(0.3) ? 'return' : 'break';

  switch (shape) {
    case 'none-while':
    case 'none-wait-for':
    case 'none-via-method':
      record();
      w.block('while True:', body);
      break;
    case 'none-async-for': {
      const it = r.pick(['iter_json', 'iter_text']);
      manifest.loops.push({ file, line: w.lineNo, function: fnName, shape, expectedGuard: 'none', receive: it });
      w.block(`async for payload in ${ws}.${it}():`, () => {
        if (it === 'iter_text') w.line('payload = json.loads(payload)');
        w.line(`await ${ws}.send_json(await ${opts.service}.${r.pick(VERBS)}_${n.noun()}(${opts.idVar}, payload))`);
      });
      break;
    }
    case 'check-inline':
      record();
      w.block('while True:', () => {
        w.block(`if ${ws}.${stateName} != WebSocketState.CONNECTED:`, () => {
          w.line(`logger.debug("${who} %s no longer connected", ${opts.idVar})`);
          w.line(leave);
        });
        body();
      });
      break;
    case 'check-helper':
      record();
      w.block('while True:', () => {
        w.block(`if not is_connected(${ws}):`, () => w.line(leave));
        body();
      });
      break;
    case 'check-condition':
      record();
      w.block(`while ${ws}.${stateName} == WebSocketState.CONNECTED:`, body);
      break;
    case 'polling-deadline':
      record(fingerprint());
      w.block('while True:', () => {
        w.line(`deadline = ${clock} + ${timeout}`);
        w.block(`while ${ws}.application_state != WebSocketState.CONNECTED:`, () => {
          if (exitsOnTerminal) w.block(`if ${ws}.client_state == WebSocketState.DISCONNECTED:`, () => w.line('return'));
          w.block(`if ${clock} >= deadline:`, () => w.line('break'));
          w.line(`await asyncio.sleep(${interval})`);
        });
        w.block(`if ${ws}.application_state != WebSocketState.CONNECTED:`, () => {
          fallbackLog();
          w.line(leave);
        });
        body();
      });
      break;
    case 'polling-while-else':
      record(fingerprint());
      w.block('while True:', () => {
        w.line(`start = ${clock}`);
        w.block(`while ${clock} - start < ${timeout}:`, () => {
          w.block(`if ${ws}.application_state == WebSocketState.CONNECTED:`, () => w.line('break'));
          if (exitsOnTerminal) {
            w.line('if (');
            w.line(`    ${ws}.client_state == WebSocketState.DISCONNECTED`);
            w.line(`    or ${ws}.application_state == WebSocketState.DISCONNECTED`);
            w.block('):', () => w.line('return'));
          }
          w.line(`await asyncio.sleep(${interval})`);
        });
        w.block('else:', () => {
          fallbackLog();
          w.line(leave);
        });
        body();
      });
      break;
    case 'polling-helper':
      record({ helper: 'wait_for_handshake' });
      w.block('while True:', () => {
        w.block(`if not await wait_for_handshake(${ws}${r.chance(0.5) ? `, timeout=${r.pick(['3.0', '5.0', 'HANDSHAKE_TIMEOUT'])}` : ''}):`, () => {
          w.line(`logger.info("${who} %s closed: handshake incomplete", ${opts.idVar})`);
          w.line(leave);
        });
        body();
      });
      break;
    case 'polling-before-loop':
      w.block(`if not await wait_for_handshake(${ws}):`, () => {
        w.line(`logger.warning("${who} %s: handshake incomplete, not starting the loop", ${opts.idVar})`);
        w.line('return');
      });
      record({ helper: 'wait_for_handshake', placement: 'before-loop' });
      w.block('while True:', body);
      break;
    default:
      throw new Error(shape);
  }
}

function wsModule(r, n, ctx, targetLines, manifest, file) {
  const w = new Py();
  const mark = markOf(manifest);
  const topic = n.topic;
  const style = r.weighted([['fastapi-func', 4], ['fastapi-class', 4], ['starlette', 2]]);
  const framework = style === 'starlette' ? 'starlette' : 'fastapi';
  const doc = [`"""Realtime ${topic} updates over WebSocket (${framework}).`, '', n.sentence(8, 16), '"""'];
  w.line('logger = logging.getLogger(__name__)');
  if (framework === 'fastapi') w.line(`router = APIRouter(prefix="/ws/${ctx.pkg}")`);
  w.blank();
  const consts = { HANDSHAKE_TIMEOUT: r.pick(['3.0', '3.0', '5.0', '2.5']), POLL_INTERVAL: r.pick(['0.01', '0.02', '0.05']) };
  w.line(`HANDSHAKE_TIMEOUT = ${consts.HANDSHAKE_TIMEOUT}`);
  w.line(`POLL_INTERVAL = ${consts.POLL_INTERVAL}`);
  w.line(`IDLE_TIMEOUT = ${r.pick(['30.0', '60.0', '120.0'])}`);
  w.blank(2);

  // Some ordinary code first, like a real module (helpers, a dataclass).
  writeDataclass(w, r, n);
  w.blank(2);
  writeFunction(w, r, n, { bodyLines: r.int(6, 20) });
  w.blank(2);

  const nLoops = r.weighted([[1, 4], [2, 4], [3, 2], [4, 1]]);
  const shapes = [];
  for (let i = 0; i < nLoops; i++) {
    let s = r.weighted(WS_SHAPES.map(([x, wgt]) => [x, wgt]));
    if (s === 'none-via-method' && style !== 'fastapi-class') s = 'none-while';
    shapes.push(s);
  }
  const who = r.pick(['client', 'subscriber', 'session', 'connection', 'viewer', 'agent']);
  const idVar = r.pick(['client_id', 'session_id', 'connection_id', 'room_id', 'account_id']);

  if (style === 'fastapi-class') {
    const loopMethods = [];
    const cls = `${camel(topic)}${r.pick(['Router', 'Gateway', 'Hub', 'Stream'])}`;
    w.block(`class ${cls}:`, () => {
      w.line(`"""${n.sentence()}"""`);
      w.blank();
      w.block(`def __init__(self, service: ${camel(topic)}Service) -> None:`, () => {
        w.line('self._service = service');
        w.line('self._connections: dict[str, WebSocket] = {}');
      });
      if (shapes.includes('none-via-method')) {
        w.blank();
        w.block('async def _read_frame(self, websocket: WebSocket) -> dict[str, Any]:', () => {
          w.line(`return await websocket.${r.pick(['receive_json', 'receive_json'])}()`);
        });
      }
      shapes.forEach((shape, i) => {
        w.blank();
        const fn = `_${r.pick(['main', 'message', 'event', 'command', 'feed', 'control'])}_loop${i ? `_${i + 1}` : ''}`;
        loopMethods.push(fn);
        const ws = r.pick(['websocket', 'ws']);
        w.block(`async def ${fn}(self, ${ws}: WebSocket, ${idVar}: str) -> None:`, () => {
          if (r.chance(0.5)) w.line(`"""${n.sentence()}"""`);
          w.line(`self._connections[${idVar}] = ${ws}`);
          w.block('try:', () => wsLoop(w, r, n, shape, ws, who, manifest, file, `${cls}.${fn}`, { idVar, service: 'self._service', inMethod: true, consts }));
          w.block('finally:', () => w.line(`self._connections.pop(${idVar}, None)`));
        });
      });
      w.blank();
      w.block(`async def broadcast(self, message: dict[str, Any]) -> int:`, () => {
        w.line('sent = 0');
        w.block('for key, connection in list(self._connections.items()):', () => {
          w.block('try:', () => {
            w.line('await connection.send_json(message)');
            w.line('sent += 1');
          });
          w.block('except RuntimeError:', () => w.line('self._connections.pop(key, None)'));
        });
        w.line('return sent');
      });
    });
    w.blank(2);
    w.line(`hub = ${cls}(${camel(topic)}Service())`);
    w.blank(2);
    loopMethods.forEach((fn, i) => {
      w.line(`@router.websocket("/${n.noun()}${i ? `-${i + 1}` : ''}/{${idVar}}")`);
      w.block(`async def ${n.noun()}_endpoint${i ? `_${i + 1}` : ''}(websocket: WebSocket, ${idVar}: str) -> None:`, () => {
        w.line('await websocket.accept()');
        w.line(`await hub.${fn}(websocket, ${idVar})`);
      });
      w.blank(2);
    });
  } else {
    const routes = [];
    shapes.forEach((shape, i) => {
      const fn = `${n.noun()}_${r.pick(['feed', 'stream', 'socket', 'channel', 'updates'])}${i ? `_${i + 1}` : ''}`;
      const ws = r.pick(['websocket', 'ws']);
      if (framework === 'fastapi') {
        w.line(`@router.websocket("/${n.noun()}/{${idVar}}")`);
        w.block(`async def ${fn}(${ws}: WebSocket, ${idVar}: str, service: ${camel(topic)}Service = Depends()) -> None:`, () => {
          w.line(`await ${ws}.accept()`);
          wsLoop(w, r, n, shape, ws, who, manifest, file, fn, { idVar, service: 'service', inMethod: false, consts });
        });
      } else {
        routes.push([fn, n.noun()]);
        w.block(`async def ${fn}(${ws}: WebSocket) -> None:`, () => {
          w.line(`${idVar} = ${ws}.path_params["${idVar}"]`);
          w.line(`service = ${camel(topic)}Service()`);
          w.line(`await ${ws}.accept()`);
          wsLoop(w, r, n, shape, ws, who, manifest, file, fn, { idVar, service: 'service', inMethod: false, consts });
          w.line(`await ${ws}.close()`);
        });
      }
      w.blank(2);
    });
    if (routes.length) {
      w.line('routes = [');
      for (const [fn, p] of routes) w.line(`    WebSocketRoute("/ws/${p}/{${idVar}}", ${fn}),`);
      w.line(']');
      w.blank(2);
    }
  }

  // A worker loop on an anyio stream or queue next to the message loops: must not be reported.
  if (r.chance(0.6)) {
    writeWorkerLoop(w, r, n, manifest, file);
    w.blank(2);
  }
  while (w.lines.length < targetLines) {
    writeFunction(w, r, n);
    w.blank(2);
  }
  // Import what the module uses, from where each framework exports it.
  const body = w.text();
  const extra = [['first', `${ctx.project}.${ctx.pkg}.services`, `${camel(topic)}Service`]];
  const uses = (re) => re.test(body);
  for (const helper of ['is_connected', 'wait_for_handshake']) if (uses(new RegExp(`\\b${helper}\\(`))) extra.push(['first', `${ctx.project}.core.ws_guards`, helper]);
  const wsModule = framework === 'fastapi' ? 'fastapi' : 'starlette.websockets';
  extra.push(['third', wsModule, 'WebSocket'], ['third', wsModule, 'WebSocketDisconnect']);
  if (uses(/WebSocketState\./)) extra.push(['third', 'starlette.websockets', 'WebSocketState']);
  if (uses(/APIRouter\(/)) extra.push(['third', 'fastapi', 'APIRouter']);
  if (uses(/Depends\(/)) extra.push(['third', 'fastapi', 'Depends']);
  if (uses(/WebSocketRoute\(/)) extra.push(['third', 'starlette.routing', 'WebSocketRoute']);
  return assemble(r, doc, w, extra, manifest, mark);
}

function wsTestModule(r, n, ctx, manifest, file) {
  // A Starlette TestClient session: framework-guaranteed (SPEC §3).
  const w = new Py();
  const mark = markOf(manifest);
  const doc = [`"""WebSocket tests for ${ctx.pkg}."""`];
  w.line('client = TestClient(app)');
  w.blank(2);
  for (let i = 0, k = r.int(1, 3); i < k; i++) {
    const fn = `test_${n.fn()}_stream${i ? `_${i + 1}` : ''}`;
    w.block(`def ${fn}() -> None:`, () => {
      w.block(`with client.websocket_connect("/ws/${ctx.pkg}/${n.noun()}/${r.int(1, 999)}") as websocket:`, () => {
        w.line(`websocket.send_json({"type": "subscribe", "topic": "${n.noun()}"})`);
        w.line('received = []');
        manifest.loops.push({ file, line: w.lineNo, function: fn, shape: 'testclient', expectedGuard: 'framework', receive: 'receive_json' });
        w.block(`while len(received) < ${r.int(2, 5)}:`, () => w.line('received.append(websocket.receive_json())'));
      });
      w.line(`assert received[0]["type"] == "subscribe_ok"`);
    });
    w.blank(2);
  }
  return assemble(r, doc, w, [['third', 'fastapi.testclient', 'TestClient'], ['first', `${ctx.project}.main`, 'app']], manifest, mark);
}

// ---------------------------------------------------------------- tree plan

function plan(files, seed, wsShare) {
  const r = new Rng(`${seed}:plan`);
  const project = r.pick(PROJECT_NAMES);
  const nPkgs = Math.max(2, Math.min(PKG_NAMES.length, Math.round(files / 90)));
  const packages = r.sample(PKG_NAMES, nPkgs).sort();
  const out = [];
  const add = (rel, kind, extra = {}) => out.push({ rel, kind, ...extra });
  add(`src/${project}/__init__.py`, 'init');
  add(`src/${project}/core/__init__.py`, 'init');
  add(`src/${project}/core/ws_guards.py`, 'ws-guards');
  add(`src/${project}/main.py`, 'module', { sub: 'api', pkg: 'core' });
  add('tests/__init__.py', 'init');
  add('tests/conftest.py', 'test', { pkg: packages[0] });
  const nWs = Math.round(files * wsShare);
  // Spread the WebSocket modules over packages; keep their count exact.
  const wsPkgs = [];
  for (let i = 0; i < nWs; i++) wsPkgs.push(packages[i % packages.length]);
  const wsTestEvery = 2; // every other WebSocket module has a TestClient test
  let wsIndex = 0;
  const perPkgBase = Math.floor((files - out.length) / packages.length);
  for (const [pi, pkg] of packages.entries()) {
    add(`src/${project}/${pkg}/__init__.py`, 'init', { pkg });
    add(`tests/${pkg}/__init__.py`, 'init', { pkg });
    const mine = wsPkgs.filter((p) => p === pkg).length;
    for (let j = 0; j < mine; j++) {
      const topic = r.pick(NOUNS);
      const rel = `src/${project}/${pkg}/api/ws_${topic}_${j + 1}.py`;
      add(rel, 'ws', { pkg, topic });
      if (wsIndex++ % wsTestEvery === 0) add(`tests/${pkg}/test_ws_${topic}_${j + 1}.py`, 'ws-test', { pkg, topic });
    }
    const budget = pi === packages.length - 1 ? files - out.length : Math.min(files - out.length, perPkgBase - 2 - mine * 1.5);
    const subdirs = new Set();
    let made = 0;
    while (made < budget && out.length < files) {
      const sub = r.weighted(SUBMODULE_KINDS);
      if (sub !== 'api' && r.chance(0.2)) {
        // tests are ~20% of the tree
        add(`tests/${pkg}/test_${r.pick(VERBS)}_${r.pick(NOUNS)}_${made}.py`, 'test', { pkg });
      } else {
        if (!subdirs.has(sub)) {
          subdirs.add(sub);
          add(`src/${project}/${pkg}/${sub}/__init__.py`, 'init', { pkg });
          made++;
          if (out.length >= files) break;
        }
        add(`src/${project}/${pkg}/${sub}/${r.pick(ADJS)}_${r.pick(NOUNS)}_${made}.py`, 'module', { pkg, sub });
      }
      made++;
    }
  }
  // api packages may have WebSocket modules but no __init__ yet
  for (const pkg of packages) {
    if (out.some((f) => f.rel.startsWith(`src/${project}/${pkg}/api/`)) && !out.some((f) => f.rel === `src/${project}/${pkg}/api/__init__.py`)) {
      // replace one ordinary module with the missing __init__ to keep the count exact
      const idx = out.findLastIndex((f) => f.kind === 'module' && f.pkg === pkg);
      if (idx >= 0) out.splice(idx, 1);
      add(`src/${project}/${pkg}/api/__init__.py`, 'init', { pkg });
    }
  }
  while (out.length > files) {
    const idx = out.findLastIndex((f) => f.kind === 'module' || f.kind === 'test');
    out.splice(idx, 1);
  }
  return { project, packages, files: out };
}

// ---------------------------------------------------------------- main

export function generate({ out, files = 5000, seed = 1, wsShare = 0.02, meanLines = 280, quiet = false }) {
  const t0 = performance.now();
  const { project, packages, files: specs } = plan(files, seed, wsShare);
  if (existsSync(out)) {
    // Only ever delete a corpus this script made (or an empty directory).
    if (readdirSync(out).length > 0 && !existsSync(path.join(out, 'bench-manifest.json'))) {
      throw new Error(`${out} exists and is not a generated corpus (no bench-manifest.json): not overwriting it`);
    }
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  const manifest = { generatorVersion: GENERATOR_VERSION, seed, files: specs.length, wsShare, project, loops: [], decoys: [] };
  // Ordinary modules get more lines so that the mean over all files (init files are
  // short) comes out near `meanLines`.
  const nShort = specs.filter((s) => s.kind === 'init' || s.kind === 'ws-test').length;
  const longMedian = Math.round((meanLines * specs.length) / Math.max(1, specs.length - nShort) / 1.21);
  let bytes = 0;
  let lines = 0;
  const dirs = new Set();
  for (const spec of specs) {
    const r = new Rng(`${seed}:${spec.rel}`);
    const n = new Names(r, spec.topic ?? r.pick(NOUNS));
    const ctx = { project, packages, pkg: spec.pkg };
    const target = r.lognormal(longMedian, 0.45, 40, 1400);
    let text;
    switch (spec.kind) {
      case 'init':
        text = initModule(r, n, ctx);
        break;
      case 'ws-guards':
        text = wsGuardsModule();
        break;
      case 'ws':
        text = wsModule(r, n, ctx, target, manifest, spec.rel);
        break;
      case 'ws-test':
        text = wsTestModule(r, n, ctx, manifest, spec.rel);
        break;
      case 'test':
        text = testModule(r, n, ctx, target);
        break;
      default:
        text = ordinaryModule(r, n, ctx, spec.sub, target, manifest, spec.rel);
    }
    const abs = path.join(out, spec.rel);
    const dir = path.dirname(abs);
    if (!dirs.has(dir)) {
      mkdirSync(dir, { recursive: true });
      dirs.add(dir);
    }
    writeFileSync(abs, text);
    bytes += Buffer.byteLength(text);
    lines += text === '' ? 0 : text.split('\n').length - 1;
  }
  writeFileSync(
    path.join(out, 'pyproject.toml'),
    `[project]\nname = "${project}"\nversion = "0.${seed}.0"\nrequires-python = ">=3.11"\ndependencies = ["fastapi", "starlette", "httpx", "sqlalchemy", "pydantic", "anyio", "orjson"]\n`,
  );
  manifest.summary = {
    files: specs.length,
    bytes,
    lines,
    wsModules: specs.filter((s) => s.kind === 'ws').length,
    messageLoops: manifest.loops.length,
    decoyLoops: manifest.decoys.length,
    byShape: manifest.loops.reduce((m, l) => ((m[l.shape] = (m[l.shape] ?? 0) + 1), m), {}),
  };
  writeFileSync(path.join(out, 'bench-manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  const ms = performance.now() - t0;
  if (!quiet) {
    console.log(
      `generated ${specs.length} files, ${lines.toLocaleString('en-US')} lines, ${(bytes / 1e6).toFixed(1)} MB in ${out} ` +
        `(seed ${seed}; ${manifest.summary.wsModules} WebSocket modules, ${manifest.loops.length} message loops, ${manifest.decoys.length} decoy loops; ${(ms / 1000).toFixed(1)} s)`,
    );
  }
  return manifest;
}

function parseArgs(argv) {
  const o = { out: 'bench/.corpus/python', files: 5000, seed: 1, wsShare: 0.02 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') o.out = v();
    else if (a === '--files') o.files = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--ws-share') o.wsShare = Number(v());
    else if (a === '-h' || a === '--help') {
      console.log('usage: node bench/generate.mjs [--out DIR] [--files N] [--seed S] [--ws-share 0.02]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  if (!Number.isInteger(o.files) || o.files < 20) throw new Error('--files must be an integer ≥ 20');
  if (!Number.isFinite(o.seed)) throw new Error('--seed must be a number');
  if (!(o.wsShare >= 0 && o.wsShare <= 0.5)) throw new Error('--ws-share must be within 0–0.5');
  return o;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    generate(parseArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(`generate.mjs: ${e.message}`);
    process.exitCode = 2;
  }
}
