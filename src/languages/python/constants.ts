// Constant propagation for guard parameters: `max_wait = 3.0` … `elapsed < max_wait` is 3.0.
import { field, findInScope, named, statements, type PyNode } from './nodes.js';

export class ConstEnv {
  constructor(
    private readonly values: ReadonlyMap<string, number>,
    private readonly parent: ConstEnv | null = null,
  ) {}

  get(name: string): number | null {
    const v = this.values.get(name);
    if (v !== undefined) return v;
    return this.parent ? this.parent.get(name) : null;
  }

  /** A child environment (e.g. a helper's parameters bound to call-site arguments). */
  with(values: ReadonlyMap<string, number>): ConstEnv {
    return new ConstEnv(values, this);
  }
}

export const EMPTY_ENV = new ConstEnv(new Map());

function parseNumberLiteral(text: string): number | null {
  const t = text.replace(/_/g, '').toLowerCase();
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t.slice(2), 16);
  if (/^0o[0-7]+$/.test(t)) return parseInt(t.slice(2), 8);
  if (/^0b[01]+$/.test(t)) return parseInt(t.slice(2), 2);
  if (/[jJ]$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

/** The numeric value of an expression, or null when it is not a constant we can see. */
export function applyOperator(op: string | undefined, a: number, b: number): number | null {
  switch (op) {
    case '+': return a + b;
    case '-': return a - b;
    case '*': return a * b;
    case '/': return b === 0 ? null : a / b;
    case '//': return b === 0 ? null : Math.floor(a / b);
    case '%': return b === 0 ? null : a % b;
    case '**': return a ** b;
    default: return null;
  }
}

export function evalNumber(node: PyNode | null, env: ConstEnv): number | null {
  if (!node) return null;
  switch (node.type) {
    case 'integer':
    case 'float':
      return parseNumberLiteral(node.text);
    case 'parenthesized_expression':
      return evalNumber(named(node)[0] ?? null, env);
    case 'identifier':
      return env.get(node.text);
    case 'attribute': {
      const obj = field(node, 'object');
      const attr = field(node, 'attribute');
      if (obj?.type === 'identifier' && attr) return env.get(`${obj.text}.${attr.text}`);
      return null;
    }
    case 'unary_operator': {
      const v = evalNumber(field(node, 'argument'), env);
      if (v === null) return null;
      const op = field(node, 'operator')?.text ?? node.text.trim()[0];
      return op === '-' ? -v : op === '+' ? v : null;
    }
    case 'binary_operator': {
      // Down the left operands without recursion: a flat chain (`1 + 2 + … + n`) may be
      // thousands of links deep (nesting.ts does not count them as nesting). Right operands first:
      // a chain of strings ends at its last term.
      const spine: PyNode[] = [];
      let left: PyNode | null = node;
      for (; left?.type === 'binary_operator'; left = field(left, 'left')) spine.push(left);
      const rights: number[] = [];
      for (let i = 0; i < spine.length; i++) {
        const b = evalNumber(field(spine[i] as PyNode, 'right'), env);
        if (b === null) return null;
        rights.push(b);
      }
      let acc = evalNumber(left, env);
      for (let i = spine.length - 1; i >= 0 && acc !== null; i--) acc = applyOperator(field(spine[i] as PyNode, 'operator')?.text, acc, rights[i] as number);
      return acc;
    }
    case 'call': {
      const fn = field(node, 'function')?.text;
      const args = named(field(node, 'arguments') ?? node).filter((a) => a.type !== 'keyword_argument');
      if ((fn === 'float' || fn === 'int') && args.length === 1) {
        const v = evalNumber(args[0] ?? null, env);
        return v === null ? null : fn === 'int' ? Math.trunc(v) : v;
      }
      if ((fn === 'min' || fn === 'max') && args.length >= 2) {
        const vs = args.map((a) => evalNumber(a, env));
        if (vs.some((v) => v === null)) return null;
        return fn === 'min' ? Math.min(...(vs as number[])) : Math.max(...(vs as number[]));
      }
      return null;
    }
    default:
      return null;
  }
}

const ASSIGNMENTS = new Set(['assignment', 'augmented_assignment', 'for_statement', 'named_expression']);

/**
 * Names assigned exactly once in a scope with a constant value. `prefix` names attribute
 * targets (`self.` in `__init__`). Later assignments may use earlier ones.
 */
export function scopeConstants(scope: PyNode, parent: ConstEnv, selfName: string | null = null): ConstEnv {
  const counts = new Map<string, number>();
  const exprs = new Map<string, PyNode>();
  const note = (name: string, value: PyNode | null) => {
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (value) exprs.set(name, value);
  };
  for (const n of findInScope(scope, ASSIGNMENTS)) {
    if (n.type === 'for_statement') {
      const left = field(n, 'left');
      if (left?.type === 'identifier') note(left.text, null);
      continue;
    }
    if (n.type === 'named_expression') {
      const name = field(n, 'name');
      if (name) note(name.text, field(n, 'value'));
      continue;
    }
    const left = field(n, 'left');
    if (!left) continue;
    const value = n.type === 'assignment' ? field(n, 'right') : null;
    if (n.type === 'augmented_assignment') {
      note(left.text, null);
      continue;
    }
    if (left.type === 'identifier') note(left.text, value);
    else if (left.type === 'attribute' && selfName && field(left, 'object')?.text === selfName) {
      note(`${selfName}.${field(left, 'attribute')?.text ?? ''}`, value);
    }
  }
  const values = new Map<string, number>();
  const env = new ConstEnv(values, parent);
  for (const [name, count] of counts) {
    const expr = exprs.get(name);
    if (count !== 1 || !expr) continue;
    const v = evalNumber(expr, env);
    if (v !== null) values.set(name, v);
  }
  return env;
}

/** Class-level constants, visible as `self.X`, `cls.X` and `Class.X` inside the class's methods. */
export function classConstants(classNode: PyNode, parent: ConstEnv): ConstEnv {
  const values = new Map<string, number>();
  const className = field(classNode, 'name')?.text ?? '';
  for (const st of statements(field(classNode, 'body'))) {
    const expr = st.type === 'expression_statement' ? named(st)[0] : null;
    if (!expr || expr.type !== 'assignment') continue;
    const left = field(expr, 'left');
    const v = evalNumber(field(expr, 'right'), parent);
    if (left?.type !== 'identifier' || v === null) continue;
    for (const p of ['self', 'cls', className]) values.set(`${p}.${left.text}`, v);
  }
  return new ConstEnv(values, parent);
}
