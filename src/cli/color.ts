// Whether to color: --no-color and NO_COLOR win, FORCE_COLOR forces, else a TTY decides.
export function useColor(opts: { color?: boolean }, toFile: boolean, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (opts.color === false) return false;
  if ('NO_COLOR' in process.env && process.env.NO_COLOR !== '') return false;
  const force = process.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  return !toFile && stream.isTTY === true;
}
