/**
 * Servers started on a fixed port (the custom runtime, `npm run dev`, the emulator): when the port cannot
 * be had, one line that names it and what changes it, instead of an 'error' event's stack trace.
 */
import { createServer } from 'node:net';

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
}

/** The line for an error from listen() on `port`, ending with `remedy`; undefined for any other error. */
export function listenFailureLine(error: unknown, port: number, remedy: string): string | undefined {
  switch (errnoCode(error)) {
    case 'EADDRINUSE':
      return `port ${port} is already in use; ${remedy}`;
    case 'EACCES':
      return `port ${port} needs privileges this process does not have; ${remedy}`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on port ${port}: the address is not available on this machine; ${remedy}`;
    default:
      return undefined;
  }
}

/**
 * Binds `port` on `host` and releases it at once: rejects with listen()'s own error when the port cannot be
 * had. For servers whose start-up does not report listen errors (a server from @hono/node-server emits
 * them as an 'error' event nobody listens to); port 0 always succeeds, so it is not probed.
 */
export function probePort(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}

/** A port number from a flag or a variable: a whole number from 0 to 65535, else undefined. */
export function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65_535 ? port : undefined;
}
