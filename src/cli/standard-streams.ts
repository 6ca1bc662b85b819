// A report's reader may go away early (`handshake-guard scan | head`): the next write to the pipe
// fails with EPIPE, which Node raises as an 'error' event nobody listens to — a crash with a stack
// trace. The run still ends with its own exit code; what the reader did not take is dropped, as
// git and grep do. Any other failure to write the report to stdout (`> /dev/full`) loses it: one
// line on stderr and exit 2. A failure on stderr loses only notes: nothing to say it on.
import { ioReason } from '../errors.js';

/** Listens for write errors on stdout and stderr; `failed()`: the report could not be written. */
export function guardStandardStreams(): { failed(): boolean } {
  let failed = false;
  let readerGone = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') readerGone = true;
    // After the first failure the stream is destroyed: later writes fail too, said once.
    if (readerGone || failed) return;
    failed = true;
    process.exitCode = 2;
    process.stderr.write(`handshake-guard: cannot write the report to stdout: ${ioReason(e)}\n`);
  });
  process.stderr.on('error', () => {});
  return { failed: () => failed };
}
