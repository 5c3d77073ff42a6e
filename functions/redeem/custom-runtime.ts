/**
 * The custom runtime's HTTP server: the same Hono app on @hono/node-server. FC passes the role's STS
 * credentials, the request id and the timeout as x-fc-* headers (callers cannot send x-fc-* headers).
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Env, Platform } from '../../shared/fc/index.js';
import { createApp } from './app.js';

export function platformFromHeaders(headers: Headers): Platform {
  const timeout = Number(headers.get('x-fc-function-timeout'));
  return {
    // FC marks HTTP-trigger requests with x-fc-control-path: /http-invoke (callers cannot send x-fc-* headers).
    channel: headers.get('x-fc-control-path') === '/http-invoke' ? 'http' : 'event',
    credentials: {
      accessKeyId: headers.get('x-fc-access-key-id') ?? undefined,
      accessKeySecret: headers.get('x-fc-access-key-secret') ?? undefined,
      securityToken: headers.get('x-fc-security-token') ?? undefined,
    },
    requestId: headers.get('x-fc-request-id') ?? undefined,
    timeoutSeconds: Number.isFinite(timeout) && timeout > 0 ? timeout : undefined,
  };
}

export interface CustomRuntimeOptions {
  readonly env: Env;
  readonly port: number;
  readonly hostname?: string;
  readonly log?: (line: string) => void;
  readonly followIntervalMs?: number;
}

export function startCustomRuntime(options: CustomRuntimeOptions): Promise<{ server: ServerType; port: number }> {
  const app = createApp({ env: options.env, followIntervalMs: options.followIntervalMs });
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  return new Promise((resolve) => {
    const server = serve(
      {
        hostname: options.hostname ?? '0.0.0.0',
        port: options.port,
        fetch: async (request: Request) => {
          const platform = platformFromHeaders(request.headers);
          // s logs groups an invocation's lines between these two markers.
          if (platform.requestId) log(`FC Invoke Start RequestId: ${platform.requestId}`);
          try {
            return await app.fetch(request, { platform });
          } finally {
            if (platform.requestId) log(`FC Invoke End RequestId: ${platform.requestId}`);
          }
        },
      },
      (info: AddressInfo) => resolve({ server, port: info.port }),
    );
  });
}
