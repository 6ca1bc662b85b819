// Path questions several stages ask the same way: whether a path lies inside a directory, and
// the directories from one up to another (the target version's and the tsconfig's searches).
import { realpathSync } from 'node:fs';
import path from 'node:path';

/** A relative path with `/` separators (git's and the reports' spelling). */
export function toPosix(p: string): string {
  return path.sep === '/' ? p : p.split(path.sep).join('/');
}

/** Whether a `path.relative` result leads out of its base directory. */
export function leadsOut(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
}

/** Whether `p` is `dir` or lies below it. */
export function isInside(dir: string, p: string): boolean {
  return !leadsOut(path.relative(dir, p));
}

/** startDir, its parents, …, stopDir. Only startDir when it is not inside stopDir. */
export function directoriesUp(startDir: string, stopDir: string): string[] {
  if (!isInside(stopDir, startDir)) return [startDir];
  const dirs: string[] = [];
  for (let dir = startDir; ; dir = path.dirname(dir)) {
    dirs.push(dir);
    if (dir === stopDir || path.dirname(dir) === dir) return dirs;
  }
}

/** git names the root with symlinks resolved (/tmp → /private/tmp); spell it from the cwd so paths relate. */
export function displayRoot(cwd: string, root: string): string {
  try {
    const up = path.relative(realpathSync(cwd), realpathSync(root));
    return path.resolve(cwd, up);
  } catch {
    return root;
  }
}
