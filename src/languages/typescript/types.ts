// The opt-in type-aware mode (`--project tsconfig.json`): ts-morph's type checker says whether an
// expression the syntax could not place is a client WebSocket (ws, isomorphic-ws, undici, the DOM
// or Deno/Bun global). Slow (it builds the program), so only when asked.
import { existsSync } from 'node:fs';
import { UsageError } from '../../errors.js';
import type { Framework } from '../../model.js';

export interface TypeOracle {
  /** What the checker says the expression at [start, start + width) of the file is, if a WebSocket. */
  socketAt(absPath: string, start: number, width: number): { emitter: boolean; type: string; framework: Framework } | null;
}

const SOCKET_SOURCES = /node_modules[\\/](?:@types[\\/]ws|ws|isomorphic-ws|undici|undici-types|bun-types)[\\/]|lib\.dom\.d\.ts$|lib\.deno/;

export async function typeOracle(tsconfig: string): Promise<TypeOracle> {
  if (!existsSync(tsconfig)) throw new UsageError(`--project: ${tsconfig} does not exist`);
  const { Project } = await import('ts-morph');
  const project = new Project({ tsConfigFilePath: tsconfig, skipFileDependencyResolution: false });
  return {
    socketAt(absPath, start, width) {
      const sf = project.getSourceFile(absPath) ?? project.addSourceFileAtPathIfExists(absPath);
      const node = sf?.getDescendantAtStartWithWidth(start, width);
      if (!node) return null;
      const type = node.getType();
      for (const t of type.isUnion() ? type.getUnionTypes() : [type]) {
        const symbol = t.getSymbol() ?? t.getAliasSymbol();
        if (!symbol || symbol.getName() !== 'WebSocket') continue;
        const decl = symbol.getDeclarations()[0];
        const file = decl?.getSourceFile().getFilePath() ?? '';
        if (!SOCKET_SOURCES.test(file)) continue;
        return { emitter: /ws[\\/]|isomorphic-ws/.test(file) && !/lib\.dom/.test(file), type: t.getText(node), framework: frameworkOfDeclaration(file) };
      }
      return null;
    },
  };
}

/** The library or runtime whose declaration file declares the WebSocket type. */
function frameworkOfDeclaration(file: string): Framework {
  if (/node_modules[\\/]isomorphic-ws[\\/]/.test(file)) return 'isomorphic-ws';
  if (/node_modules[\\/](?:@types[\\/])?ws[\\/]/.test(file)) return 'ws';
  // undici-types is how @types/node declares Node's global WebSocket: the WHATWG one.
  if (/node_modules[\\/]undici[\\/]/.test(file)) return 'undici';
  if (/node_modules[\\/]undici-types[\\/]|lib\.dom\.d\.ts$/.test(file)) return 'dom';
  if (/node_modules[\\/]bun-types[\\/]/.test(file)) return 'bun';
  if (/lib\.deno/.test(file)) return 'deno';
  return 'unknown';
}
