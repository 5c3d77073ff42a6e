/**
 * The custom runtime's HTTP server: the same Hono app on @hono/node-server. FC passes the role's STS
 * credentials, the request id and the timeout as x-fc-* headers, and marks every request it sends with
 * x-fc-control-path. Only that mark makes the x-fc-* headers FC's: without it the request came from
 * somewhere else, its x-fc-* headers are the sender's words, and it is treated as an outside request.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Env } from '../../shared/config/index.js';
import { errorBody } from '../../shared/errors/index.js';
import { parseContext, runningVersion, type Platform } from '../../shared/fc/index.js';
import { createLogger, type Logger } from '../../shared/log/index.js';
import { createApp } from './app.js';

const OUTSIDE: Platform = { channel: 'http', credentials: undefined, requestId: undefined, timeoutSeconds: undefined };

/**
 * One header's value. Sent twice (a proxy on the way adding its own copy), web Headers give "v, v": read
 * so, the timeout was no number and the role's keys "held whitespace". The same value twice is that value;
 * two that differ are no word of FC's. (No value FC sends here holds ", ".)
 */
function single(headers: Headers, name: string): string | undefined {
  const parts = headers.get(name)?.split(', ');
  return parts?.every((part) => part === parts[0]) ? parts[0] : undefined;
}

export function platformFromHeaders(headers: Headers): Platform {
  const get = (name: string) => single(headers, name);
  // The mark itself is read as sent: FC sends it once, so a doubled one ("/invoke, /invoke") is no request of FC's.
  const controlPath = headers.get('x-fc-control-path');
  if (controlPath !== '/invoke' && controlPath !== '/http-invoke') return OUTSIDE;
  return {
    channel: controlPath === '/invoke' ? 'event' : 'http',
    credentialSource: 'headers',
    credentials: {
      accessKeyId: get('x-fc-access-key-id'),
      accessKeySecret: get('x-fc-access-key-secret'),
      securityToken: get('x-fc-security-token'),
    },
    requestId: get('x-fc-request-id'),
    // Where an orchestrating run invokes the account runs when the FC_* variables do not say it.
    functionName: get('x-fc-function-name'),
    accountId: get('x-fc-account-id'),
    region: get('x-fc-region'),
    // By the context's rule (digits only): Number() took "1e9" for a billion seconds and "0x384" for 900.
    timeoutSeconds: parseContext({ function: { timeout: get('x-fc-function-timeout') } }).function?.timeout,
    qualifier: runningVersion(get('x-fc-version-id'), get('x-fc-qualifier')),
  };
}

interface CustomRuntimeOptions {
  readonly env: Env;
  readonly port: number;
  readonly hostname?: string;
  readonly logger?: Logger;
  readonly followIntervalMs?: number;
  /**
   * The process's own server (server.ts): on SIGTERM it stops taking connections, lets the invocations in
   * progress finish and answer, then exits 0. Off for a server started inside another program (the tests).
   */
  readonly stopOnSignals?: boolean;
}

export function startCustomRuntime(options: CustomRuntimeOptions): Promise<{ server: ServerType; port: number }> {
  const logger = options.logger ?? createLogger();
  const app = createApp({ env: options.env, followIntervalMs: options.followIntervalMs, logger });
  let inProgress = 0;
  // Who waits for the invocations in progress to end (stopOnSigterm): told when the count returns to 0.
  const drained: Array<() => void> = [];
  const whenDrained = () => new Promise<void>((resolve) => (inProgress === 0 ? resolve() : drained.push(resolve)));
  // Set by SIGTERM (stopOnSignals): from then on no invocation starts here.
  let stopping = false;
  return new Promise((resolve, reject) => {
    const server = serve(
      {
        hostname: options.hostname ?? '0.0.0.0',
        port: options.port,
        fetch: async (request: Request) => {
          const platform = platformFromHeaders(request.headers);
          // server.close() refuses new connections only: a kept-alive one (FC's front reuses them) still
          // brought a request after SIGTERM, and a run started on an instance going down, to be cut by FC's
          // kill mid-order. It is refused before anything runs; the caller (FC, for an event) sends it again.
          if (stopping) {
            logger.warn('SIGTERM: refused an invocation that arrived while the instance stops', { fc_request_id: platform.requestId });
            return new Response(JSON.stringify(errorBody({ code: 'instance-stopping', message: 'This instance is stopping (SIGTERM); nothing was run: send the request again' })), {
              status: 503,
              // x-fc-status only on an event's answer: an HTTP-trigger answer may not set x-fc-* (function-compute.md §4).
              headers: { 'content-type': 'application/json', connection: 'close', 'retry-after': '1', ...(platform.channel === 'event' ? { 'x-fc-status': '404' } : {}) },
            });
          }
          inProgress += 1;
          // s logs groups an invocation's lines between these two markers.
          if (platform.requestId) logger.raw(`FC Invoke Start RequestId: ${platform.requestId}`);
          try {
            const response = await app.fetch(request, { platform });
            // Answered after SIGTERM: the connection is not to be used again (Node then closes it once written).
            if (stopping) response.headers.set('connection', 'close');
            return response;
          } finally {
            inProgress -= 1;
            if (inProgress === 0) for (const resolve of drained.splice(0)) resolve();
            if (platform.requestId) logger.raw(`FC Invoke End RequestId: ${platform.requestId}`);
          }
        },
      },
      (info: AddressInfo) => resolve({ server, port: info.port }),
    );
    server.once('error', reject);
    if (options.stopOnSignals) {
      // on, not once: after a once-listener has run, a second SIGTERM (a supervisor that repeats it, a
      // person's second kill) met Node's default and ended the process at once, the run it waits for with it.
      process.on('SIGTERM', () => {
        if (stopping) return logger.warn('SIGTERM again: still waiting for the invocations in progress', { in_progress: inProgress });
        stopping = true;
        stopOnSigterm(server, logger, () => inProgress, whenDrained);
      });
    }
  });
}

/**
 * FC ends an instance with SIGTERM (function-compute.md: instance lifecycle). Node's default ends the
 * process at once, between any two lines: a run in progress then lost its last records in SLS, the
 * message that tells a person what it ordered and the answer to its invocation, in silence. Here the
 * listening socket closes (no new invocation starts), the invocations in progress run to their end, which
 * their own time budget bounds (under the function timeout), and the process exits 0 once the last
 * connection has ended and the last invocation has returned. If FC's grace is shorter it kills the process, as it would have without this.
 */
function stopOnSigterm(server: ServerType, logger: Logger, inProgress: () => number, whenDrained: () => Promise<void>): void {
  logger.warn('SIGTERM: the instance is stopping; no new invocations, waiting for those in progress', { in_progress: inProgress() });
  // close() ends the connections idle now; one busy now turns idle once its answer is written, and FC (or
  // any client) may keep it open for minutes: idle ones are ended every 100 ms until the last is gone.
  const sweep = setInterval(() => (server as Server).closeIdleConnections(), 100);
  // The last connection gone is not the last invocation done: a caller that hung up (its curl killed, a
  // proxy giving up) takes its connection with it while its run goes on, and exiting then cut that run
  // short between two lines. The process exits once both have happened.
  server.close(() => {
    clearInterval(sweep);
    void whenDrained().then(() => process.exit(0));
  });
}
