// Random Python "soup" for HG011's cheap-path test: statements and expressions that tree-sitter
// often parses without error and CPython often rejects (stars, lambdas, `as`, defaults, odd
// targets, version-gated syntax). A seeded generator, so a failure reproduces.

export function pythonSoup(seed0: number): () => string {
  let seed = seed0;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = <T>(a: readonly T[]): T => a[Math.floor(rnd() * a.length)] as T;
  const atoms = ['a', 'b', 'x.y', 'f()', '1', '0777', '1_0', '"s"', "b'\\xff'", 'f"{a}"', 'f"{a=}"', '...', 'None', '(a)', '[a]', '{a}', '{}', 'print', 'match', 'type', '_f', 'await', 'async'];
  function expr(d = 0): string {
    if (d > 3 || rnd() < 0.3) return pick(atoms);
    switch (Math.floor(rnd() * 16)) {
      case 0: return `${expr(d + 1)}(${args(d + 1)})`;
      case 1: return `*${expr(d + 1)}`;
      case 2: return `**${expr(d + 1)}`;
      case 3: return `lambda ${params(d + 1)}: ${expr(d + 1)}`;
      case 4: return `${expr(d + 1)} if ${expr(d + 1)} else ${expr(d + 1)}`;
      case 5: return `(${expr(d + 1)} := ${expr(d + 1)})`;
      case 6: return `await ${expr(d + 1)}`;
      case 7: return `(yield ${expr(d + 1)})`;
      case 8: return `[${expr(d + 1)} for ${pick(['a', 'a, b', '(*a)', '[a]'])} in ${expr(d + 1)}${rnd() < 0.3 ? ', ' + expr(d + 1) : ''}]`;
      case 9: return `${expr(d + 1)}[${expr(d + 1)}${rnd() < 0.5 ? ', ' + expr(d + 1) : ''}]`;
      case 10: return `${expr(d + 1)} ${pick(['+', '*', '**', '@', '<>', '==', 'and', 'not in', '|'])} ${expr(d + 1)}`;
      case 11: return `(${expr(d + 1)}, ${expr(d + 1)})`;
      case 12: return `{${expr(d + 1)}: ${expr(d + 1)}${rnd() < 0.3 ? ', ' : ''}}`;
      case 13: return `f"{${expr(d + 1)}}"`;
      case 14: return `${expr(d + 1)} as ${pick(['n', 'a.b', 'f()', '(a, b)'])}`;
      default: return `not ${expr(d + 1)}`;
    }
  }
  function args(d: number): string { const n = Math.floor(rnd() * 4); const out = []; for (let i = 0; i < n; i++) out.push(rnd() < 0.3 ? `${pick(['k', 'print', 'a'])}=${expr(d)}` : expr(d)); if (rnd() < 0.2) out.push(''); return out.join(', '); }
  function params(d: number): string { const n = Math.floor(rnd() * 4); const out = []; for (let i = 0; i < n; i++) out.push(pick(['a', 'b=1', '*', '*c', '**k', '/', 'd: int', 'e: int = 2', `g=${expr(d)}`, '(h, i)'])); return out.join(', '); }
  function stmt(): string {
    switch (Math.floor(rnd() * 18)) {
      case 0: return `${pick(['a', 'a, b', '(*a)', '[a]', 'x.y', 'a[0]', '*a, b'])} = ${expr()}`;
      case 1: return `${pick(['a', 'a, b', '(a)', '[a]', 'x.y', '*a', 'f()'])}: ${pick(['int', '*Ts', 'list[int]'])}${rnd() < 0.5 ? ' = ' + expr() : ''}`;
      case 2: return `${pick(['a', 'a, b', '(a)', 'x.y', 'f().x'])} ${pick(['+=', '@=', '//='])} ${expr()}`;
      case 3: return `del ${expr()}`;
      case 4: return `assert ${expr()}${rnd() < 0.5 ? ', ' + expr() : ''}${rnd() < 0.3 ? ', ' + expr() : ''}`;
      case 5: return `raise ${rnd() < 0.2 ? '' : expr()}${rnd() < 0.3 ? ', ' + expr() : ''}${rnd() < 0.3 ? ' from ' + expr() : ''}`;
      case 6: return `import a${rnd() < 0.3 ? ' as b' : ''}${rnd() < 0.3 ? ',' : ''}`;
      case 7: return `def f${rnd() < 0.2 ? '[T]' : ''}(${params(0)}): return ${expr()}`;
      case 8: return `with ${expr()}${rnd() < 0.5 ? ' as n' : ''}${rnd() < 0.3 ? ', ' + expr() : ''}: pass`;
      case 9: return `try:\n    pass\n${pick(['except E as e:\n    pass', 'except* E:\n    pass', 'except A, B:\n    pass', 'finally:\n    pass', 'else:\n    pass', ''])}`;
      case 10: return `for ${pick(['a', 'a, b', '(*a)'])} in ${expr()}${rnd() < 0.3 ? ', ' + expr() : ''}: pass`;
      case 11: return `print ${expr()}`;
      case 12: return `type X = ${expr()}`;
      case 13: return `match ${expr()}:\n    case ${pick(['a', '[a, *b]', 'a as b', '{"k": v}'])}: pass`;
      case 14: return `@${expr()}\ndef g(): pass`;
      case 15: return `yield ${expr()}`;
      case 16: return `class C${rnd() < 0.2 ? '[T]' : ''}(${args(0)}): pass`;
      default: return expr();
    }
  }
  return () => {
    const lines: string[] = [];
    const n = 1 + Math.floor(rnd() * 4);
    for (let i = 0; i < n; i++) lines.push(stmt());
    const src = `${lines.join('\n')}\n`;
    return rnd() < 0.4 ? `async def outer():\n${src.replace(/^/gm, '    ')}` : src;
  };
}
