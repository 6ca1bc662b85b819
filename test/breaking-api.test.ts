// One file's public API against the base (src/checks/breaking-api.ts): the refusals the breaking
// row words its "not compared" entries with, the same for Python and TS/JS, changed or deleted.
import { describe, expect, it } from 'vitest';
import { compareApi } from '../src/checks/breaking-api.js';

const PY = 'def serve(router, port=80):\n    pass\n';
const PY_BAD = `${PY}\ndef (:\n`;
const TS = 'export function send(a: string, retries = 3) {}\n';
const TS_BAD = 'export function send(a: string {\n';
const TS_DEEP = `export const x = ${'('.repeat(600)}1${')'.repeat(600)};\n`;

describe('compareApi', () => {
  it('diffs a changed file, and counts what the base had', async () => {
    expect(await compareApi('python', '/r/a.py', PY, 'def serve(router, port):\n    pass\n', 'HEAD')).toEqual({
      refused: null,
      definitions: 1,
      breaks: [{ name: 'serve', line: 1, message: 'serve(router, port=…) → serve(router, port) (port made required)' }],
    });
    expect(await compareApi('typescript', '/r/c.ts', TS, 'export function send(a: string, retries: number) {}\n', 'HEAD')).toEqual({
      refused: null,
      definitions: 1,
      breaks: [{ line: 1, message: 'send: parameter retries is now required' }],
    });
  });

  it('a TS/JS rest parameter removed is a break, even when the parameter count stays', async () => {
    const ts = (params: string): string => `export function send(${params}) {}\n`;
    const breaks = async (a: string, b: string): Promise<string[]> => {
      const r = await compareApi('typescript', '/r/c.ts', ts(a), ts(b), 'HEAD');
      return r.refused === null ? r.breaks.map((x) => x.message) : [r.refused];
    };
    expect(await breaks('...parts: string[]', 'part?: string')).toEqual(['send: rest parameter ...parts removed']);
    expect(await breaks('a: string, ...more: string[]', 'a: string, b?: string')).toEqual(['send: rest parameter ...more removed']);
    expect(await breaks('a: string, ...more: string[]', 'a: string, b?: string, ...more: string[]')).toEqual([]);
    expect(await breaks('a: string, b: string', 'a: string')).toEqual(['send takes 1 parameter instead of 2']);
  });

  it("a package's __init__.py re-exports are its API; a plain module's relative imports are not", async () => {
    const before = 'from .a import x, y\n';
    const after = 'from .a import x\n';
    expect(await compareApi('python', '/r/pkg/__init__.py', before, after, 'HEAD')).toMatchObject({ refused: null, breaks: [{ line: 1, message: 'removed re-export y' }] });
    expect(await compareApi('python', '/r/pkg/mod.py', before, after, 'HEAD')).toMatchObject({ refused: null, breaks: [] });
  });

  it('CommonJS: module.exports = Class compares the class and its methods; exports.x by presence; exports built at run time are named, not compared', async () => {
    const js = async (before: string, after: string) => {
      const r = await compareApi('javascript', '/r/ws2.js', before, after, 'HEAD');
      return r.refused === null ? r.breaks.map((x) => x.message) : [r.refused];
    };
    const cls = (members: string): string => `'use strict'\nclass WSv2 {\n${members}}\nmodule.exports = WSv2\n`;
    expect(await js(cls('  setAPICredentials (key, secret) {}\n  subscribeTicker (symbol) { return 1 }\n'), cls('  async subscribeTicker (symbol) { return 1 }\n'))).toEqual([
      'exported method module.exports.setAPICredentials removed',
      'module.exports.subscribeTicker is now async',
    ]);
    expect(await js("exports.VERSION = '1'\nexports.connect = function (url) {}\n", 'exports.connect = function (url) {}\n')).toEqual(['exported variable VERSION removed']);
    expect(await js("module.exports = require('./impl')\n", 'module.exports = {}\n')).toEqual(['exported variable module.exports removed']);
    expect(await js('for (const k of names) exports[k] = make(k)\n', 'for (const k of names) exports[k] = make(k, 1)\n')).toEqual(['CommonJS exports built at run time, not compared']);
  });

  it('a TS/JS function or class turned into a type is a break; into a variable, not decidable here', async () => {
    const cmp = (before: string, after: string) => compareApi('typescript', '/r/c.ts', before, after, 'HEAD');
    expect(await cmp('export function make(a: string) {}\n', 'export type make = (a: string) => void;\n')).toMatchObject({
      breaks: [{ line: 1, message: 'make changed from function to type (no longer callable)' }],
    });
    expect(await cmp('export class Conn {}\n', 'export interface Conn {}\n')).toMatchObject({ breaks: [{ message: 'Conn changed from class to interface (no longer callable)' }] });
    expect(await cmp('export function make(a: string) {}\n', 'export const make = memo(impl);\n')).toMatchObject({
      breaks: [{ line: 1, message: 'make: function became a variable; whether callers can still call it so is not declared here', unsure: true }],
    });
    // A function declared as a const arrow is still a function; a variable that becomes a type is compared by presence.
    expect(await cmp('export function make(a: string) {}\n', 'export const make = (a: string) => {};\n')).toMatchObject({ breaks: [] });
    expect(await cmp('export const x = 1;\n', 'export type x = number;\n')).toMatchObject({ breaks: [] });
  });

  it('a TS exported function or method whose declared types no longer take (or give) what they did is a break, with both signatures', async () => {
    const breaks = async (before: string, after: string, file = '/r/c.ts'): Promise<string[]> => {
      const r = await compareApi(file.endsWith('.js') ? 'javascript' : 'typescript', file, before, after, 'HEAD');
      return r.refused === null ? r.breaks.map((x) => x.message) : [r.refused];
    };
    const fn = (sig: string): string => `export function f${sig} {\n  return undefined as never;\n}\n`;
    expect(await breaks(fn('(a: string)'), fn('(a: number)'))).toEqual(['f: signature changed (parameter a: string → number): f(a: string) → f(a: number)']);
    expect(await breaks(fn('(a: string | number): void'), fn('(a: string): void'))).toEqual(['f: signature changed (parameter a: string | number → string): f(a: string | number): void → f(a: string): void']);
    expect(await breaks(fn('(a: string): string'), fn('(a: string): number'))).toEqual(['f: signature changed (return type string → number): f(a: string): string → f(a: string): number']);
    expect(await breaks(fn('(a: string): string'), fn('(a: string): string | null'))).toEqual(['f: signature changed (return type string → string | null): f(a: string): string → f(a: string): string | null']);
    expect(await breaks(fn('<T>(a: T): T'), fn('<T extends object>(a: T): T'))).toEqual(['f: signature changed (type parameters <T> → <T extends object>): f<T>(a: T): T → f<T extends object>(a: T): T']);
    // An alias is compared by what it stands for.
    expect(await breaks(fn('(a: string)'), `type Id = number;\n${fn('(a: Id)')}`)).toEqual(['f: signature changed (parameter a: string → Id): f(a: string) → f(a: Id)']);
    expect(await breaks(fn('<T>(a: T): T'), fn('<T, U>(a: T): T'))).toEqual(['f: signature changed (type parameters <T> → <T, U>): f<T>(a: T): T → f<T, U>(a: T): T']);
    // Optional to required keeps its own wording; so does a parameter that is both required now and retyped.
    expect(await breaks(fn('(a: string, b?: number)'), fn('(a: string, b: number)'))).toEqual(['f: parameter b is now required']);
    // A method of an exported class, and a const arrow function.
    expect(await breaks('export class Conn {\n  send(data: string): void {}\n}\n', 'export class Conn {\n  send(data: Uint8Array): void {}\n}\n')).toEqual([
      'Conn.send: signature changed (parameter data: string → Uint8Array): send(data: string): void → send(data: Uint8Array): void',
    ]);
    expect(await breaks('export const g = (a: string): number => 1;\n', 'export const g = (a: string): string => "";\n')).toEqual(['g: signature changed (return type number → string): g(a: string): number → g(a: string): string']);
    // An object literal parameter that no longer takes what it took, or a returned object that lost a member.
    expect(await breaks(fn('(o: { a: string })'), fn('(o: { a: string; b: number })'))).toEqual(['f: signature changed (parameter o: { a: string } → { a: string; b: number }): f(o: { a: string }) → f(o: { a: string; b: number })']);
    expect(await breaks(fn('(o: { a: string; b?: number })'), fn('(o: { a: string })'))).toHaveLength(1);
    expect(await breaks(fn('(o: { a?: string })'), fn('(o: { a: string })'))).toHaveLength(1);
    expect(await breaks(fn('(): { a: string; b: number }'), fn('(): { a: string }'))).toHaveLength(1);
    expect(await breaks(fn('(a: Array<string>)'), fn('(a: number[])'))).toHaveLength(1);
    // One break per declaration: the count and the types in one line; a destructured parameter on one line.
    expect(await breaks('export default function handler(req: string, res: number): void {}\n', 'export default function handler(request: boolean): void {}\n')).toEqual([
      'default: signature changed (takes 1 parameter instead of 2; parameter req: string → boolean): default(req: string, res: number): void → default(request: boolean): void',
    ]);
    expect(await breaks(fn('(a?: string, b?: number)'), fn('(a: string)'))).toEqual(['f: takes 1 parameter instead of 2; parameter a is now required']);
    expect(await breaks(fn('({\n  a,\n  b,\n}: { a: number; b: number }): void'), fn('({\n  a,\n}: { a: number }): void'))).toEqual([
      'f: signature changed (parameter { a, b }: { a: number; b: number } → { a: number }): f({ a, b }: { a: number; b: number }): void → f({ a }: { a: number }): void',
    ]);
    // Types declared in another module, different on the two sides: not decidable here (named, not a break).
    const unsure = await compareApi('typescript', '/r/c.ts', `import type { A, B } from './t.js';\n${fn('(a: A)')}`, `import type { A, B } from './t.js';\n${fn('(a: B)')}`, 'HEAD');
    expect(unsure).toMatchObject({ refused: null, breaks: [{ message: 'f: signature changed (parameter a: A → B: types declared in another module, not compared): f(a: A) → f(a: B)', unsure: true }] });
    expect(await compareApi('typescript', '/r/c.ts', fn('(a: string)'), fn('(a: Id)'), 'HEAD')).toMatchObject({ breaks: [{ unsure: true }] });
    // The same foreign type with other arguments, or a parameter removed beside it: decided.
    expect(await compareApi('typescript', '/r/c.ts', fn('(a: Box<string>)'), fn('(a: Box<number>)'), 'HEAD')).toMatchObject({ breaks: [{ message: expect.not.stringContaining('not compared') }] });
    expect(((await compareApi('typescript', '/r/c.ts', fn('(a: A, b: string)'), fn('(a: B)'), 'HEAD')) as { breaks: { unsure?: true }[] }).breaks[0]?.unsure).toBeUndefined();
    // A long type is cut in the reason.
    const wide = `{ ${Array.from({ length: 10 }, (_, i) => `field${i}: string`).join('; ')} }`;
    const [reason] = await breaks(fn(`(o: ${wide})`), fn('(o: number)'));
    expect(reason).toMatch(/^f: signature changed \(parameter o: \{ field0: string; .{40,}… → number\): /);
    // A long signature is cut in the detail.
    const long = `(${Array.from({ length: 12 }, (_, i) => `argument${i}: string`).join(', ')})`;
    const [cut] = await breaks(fn(long), fn(long.replace('argument0: string', 'argument0: number')));
    expect(cut).toMatch(/^f: signature changed \(parameter argument0: string → number\): f\(argument0: string, .{80,}… → f\(argument0: number, .*…$/);
  });

  it('TS signatures that every old call still fits are no break', async () => {
    const same = async (before: string, after: string): Promise<void> => {
      expect(await compareApi('typescript', '/r/c.ts', before, after, 'HEAD'), `${before} → ${after}`).toMatchObject({ refused: null, breaks: [] });
    };
    const fn = (sig: string): string => `export function f${sig} {\n  return undefined as never;\n}\n`;
    // Layout and comments.
    await same(fn('(a: { x: string; y: number; } /* options */): Promise<void>'), fn('(a: {x: string, y: number}): Promise< void >'));
    await same(fn('(a: Array<string>)'), fn('(\n  // the items\n  a: Array<string>,\n)'));
    // Widened parameters, a narrowed or `any` return, an optional trailing parameter, a type parameter with a default.
    await same(fn('(a: string): string | null'), fn('(a: string | number): string'));
    await same(fn('(a: string): string'), fn('(a: unknown, b?: number): any'));
    await same(fn('<T>(a: T): T'), fn('<T, U = string>(a: T): T'));
    await same(fn('(a: string | undefined)'), fn('(a?: string)'));
    // A type alias or interface of the file standing for the type written out before (either way).
    await same(fn('(a: { x: number }): { line: number; message: string }[]'), `export interface Break {\n  line: number;\n  message: string;\n}\ntype Options = { x: number };\n${fn('(a: Options): Break[]')}`);
    await same(`type Id = string;\n${fn('(a: Id)')}`, fn('(a: string)'));
    // The two spellings of arrays and readonly objects.
    await same(fn('(x: number, ...rest: string[]): Map<string, number>[]'), fn('(x: number, ...rest: Array<string>): Array<Map<string, number>>'));
    await same(fn('(a: (string | number)[], b: ReadonlyArray<() => void>)'), fn('(a: Array<string | number>, b: readonly (() => void)[])'));
    await same(fn('(x: Readonly<{ a: number; b?: string }>)'), fn('(x: { readonly a: number, readonly b?: string })'));
    // An optional member added to an object literal parameter; a required one made optional; one added to a returned object.
    await same(fn('(opts: { id: string; items: number[] })'), fn('(opts: { id: string; items: Array<number>; blockedSnapshot?: boolean })'));
    await same(fn('(opts: { id: string })'), fn('(opts?: { id?: string; keyterms?: string[] })'));
    await same(fn('(): { id: string }'), fn('(): { id: string; extra: number }'));
    // A type on one side only (inferred, or JavaScript) is not compared; nor are parameter names.
    await same(fn('(a = 3)'), fn('(renamed: number = 3)'));
    await same(fn('(a: string)'), fn('(a)'));
    expect(await compareApi('javascript', '/r/c.js', 'export function f(a) {}\n', 'export function f(b) {}\n', 'HEAD')).toMatchObject({ breaks: [] });
  });

  it('a TS class without a constructor is constructed with no argument unless it extends another: one declared or removed is compared with that', async () => {
    const breaks = async (before: string, after: string) => {
      const r = await compareApi('typescript', '/r/c.ts', before, after, 'HEAD');
      return r.refused === null ? r.breaks : r.refused;
    };
    expect(await breaks('export class Client {}\n', 'export class Client {\n  constructor(url: string) {}\n}\n')).toEqual([{ line: 2, message: 'Client.constructor: parameter url is now required' }]);
    expect(await breaks('export class Client {\n  constructor(url: string) {}\n}\n', 'export class Client {}\n')).toEqual([{ line: 1, message: 'Client.constructor takes 0 parameters instead of 1' }]);
    expect(await breaks('export class Client {}\n', 'export class Client {\n  constructor(url?: string) {}\n}\n')).toEqual([]);
    // Extending another class, the constructor was (or is now) that class's: not decidable here.
    expect(await breaks('export class Client extends Base {\n  constructor(url: string) {\n    super(url);\n  }\n}\n', 'export class Client extends Base {}\n')).toEqual([
      { line: 2, message: 'Client.constructor removed: the class now takes its base class\'s constructor, not compared', unsure: true },
    ]);
    expect(await breaks('export class Client extends Base {}\n', 'export class Client extends Base {\n  constructor() {\n    super(1);\n  }\n}\n')).toEqual([
      { line: 2, message: 'Client.constructor declared: the class took its base class\'s constructor, not compared', unsure: true },
    ]);
    // Abstract now: no longer constructible; abstract no more: nothing lost.
    expect(await breaks('export class Client {}\n', 'export abstract class Client {}\n')).toEqual([{ line: 1, message: 'Client is now abstract (`new Client(…)` no longer compiles)' }]);
    expect(await breaks('export abstract class Client {}\n', 'export class Client {}\n')).toEqual([]);
    // A class gone takes its constructor with it.
    expect(await breaks('export class Client {\n  constructor(url: string) {}\n}\n', 'export const other = 1;\n')).toEqual([{ line: 1, message: 'exported class Client removed' }]);
  });

  it("a TS exported class's public properties and accessors count by presence; a property holding a function is a method", async () => {
    const breaks = async (before: string, after: string) => {
      const r = await compareApi('typescript', '/r/c.ts', before, after, 'HEAD');
      return r.refused === null ? r.breaks.map((x) => x.message) : [r.refused];
    };
    const cls = (body: string): string => `export class Conn {\n${body}\n}\n`;
    expect(await breaks(cls('  url = "";\n  static count = 0;\n  get open(): boolean { return true; }'), cls(''))).toEqual([
      'exported property Conn.url removed',
      'exported static property Conn.count removed',
      'exported property Conn.open removed',
    ]);
    expect(await breaks(cls('  constructor(public readonly url: string, private secret: string) {}'), cls('  constructor(url: string, secret: string) {}'))).toEqual(['exported property Conn.url removed']);
    expect(await breaks(cls('  send = (data: string): void => {};'), cls('  send = (data: string, binary: boolean): void => {};'))).toEqual(['Conn.send: parameter binary is now required']);
    // An arrow property and a method are called alike; private members are no one's business.
    expect(await breaks(cls('  send(data: string): void {}\n  private x = 1;'), cls('  send = (data: string): void => {};'))).toEqual([]);
    expect(await breaks(cls('  send(data: string): void {}'), cls('  send: Sender;'))).toEqual(['Conn.send: method became a property; whether callers can still call it so is not declared here']);
  });

  it('removes every name of a deleted file', async () => {
    expect(await compareApi('python', '/r/a.py', PY, null, 'HEAD')).toMatchObject({ refused: null, definitions: 1, breaks: [{ line: 1, message: 'removed serve' }] });
    expect(await compareApi('javascript', '/r/c.js', 'exports.close = function () {};\n', null, 'HEAD')).toEqual({
      refused: null,
      definitions: 1,
      breaks: [{ line: 1, message: 'exported function close removed' }],
    });
  });

  it('refuses a side that does not parse, the base first, in either language', async () => {
    expect(await compareApi('python', '/r/a.py', PY_BAD, PY_BAD, 'main')).toEqual({ refused: 'does not parse at main, line 4' });
    expect(await compareApi('python', '/r/a.py', PY, PY_BAD, 'main')).toEqual({ refused: 'does not parse, line 4' });
    expect(await compareApi('python', '/r/a.py', PY_BAD, null, 'main')).toEqual({ refused: 'does not parse at main, line 4' });
    expect(await compareApi('typescript', '/r/c.ts', TS_BAD, TS_BAD, 'main')).toEqual({ refused: 'does not parse at main, line 1' });
    expect(await compareApi('typescript', '/r/c.ts', TS, TS_BAD, 'main')).toEqual({ refused: 'does not parse, line 1' });
  });

  it('refuses a TS/JS file nested too deep to parse safely, with the nesting error', async () => {
    const refused = { refused: 'nesting deeper than 500 levels: not analysed' };
    expect(await compareApi('typescript', '/r/c.ts', TS, TS_DEEP, 'HEAD')).toEqual(refused);
    expect(await compareApi('typescript', '/r/c.ts', TS_DEEP, null, 'HEAD')).toEqual(refused);
  });
});
