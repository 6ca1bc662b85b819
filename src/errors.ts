/** A problem with how the tool was called or configured: one line on stderr, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

const IO_REASONS: Readonly<Record<string, string>> = {
  ENOENT: 'no such directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EISDIR: 'is a directory',
  ENOTDIR: 'a part of the path is not a directory',
};

/** The system's words for a failure to write, without the call and path Node adds to them. */
export function ioReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (typeof code === 'string') return IO_REASONS[code] ?? code;
  return e instanceof Error ? e.message : String(e);
}
