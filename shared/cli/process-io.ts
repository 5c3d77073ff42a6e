/**
 * The CLI's streams on a real process. A reader that goes away (`redeemer plan | head -1`) makes the next
 * write fail with EPIPE: from then on that stream's output is dropped and the run carries on to its end, so
 * an order already sent still gets its record in SLS and the exit code is the run's. Stopping the process
 * instead could cut a live run between a submission and its record.
 */
import type { CliIo } from './main.js';
import { terminalProgress } from './progress.js';

interface OutputStream {
  readonly isTTY?: boolean | undefined;
  readonly destroyed: boolean;
  write(text: string): boolean;
  on(event: 'error', listener: (error: NodeJS.ErrnoException) => void): unknown;
}

/** A writer that goes quiet once its reader has gone; any other stream error still surfaces. */
export function quietOnClosedPipe(stream: OutputStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (closed || stream.destroyed) return;
    stream.write(text);
  };
}

export function processIo(proc: { readonly env: NodeJS.ProcessEnv; readonly stdout: OutputStream; readonly stderr: OutputStream } = process): CliIo {
  const out = quietOnClosedPipe(proc.stdout);
  const err = quietOnClosedPipe(proc.stderr);
  const progress = proc.stderr.isTTY ? terminalProgress(err) : undefined;
  // Any other output first removes the progress line: stdout and stderr are often the same terminal.
  const afterProgress = (write: (text: string) => void) => (text: string) => {
    progress?.clear();
    write(text);
  };
  return { env: proc.env, out: afterProgress(out), err: afterProgress(err), onProgress: progress?.show };
}
