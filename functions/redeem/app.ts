/**
 * One Hono app for every runtime. Platform objects (FC credentials, request id, timeout) reach the routes
 * through c.env.platform, set by the built-in handler from FC's context or by the custom-runtime server
 * from FC's x-fc-* headers.
 */
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { ConfigError, loadConfig } from '../../shared/config/index.js';
import { MissingCredentialsError } from '../../shared/config/index.js';
import { MalformedEventError, decodeEvent } from '../../shared/fc/index.js';
import { invokeRun, optionsFromEvent, type InvocationDeps, type Platform } from '../../shared/fc/index.js';
import { verifyWebhook } from '../../shared/fc/index.js';
import { RunOptionsError } from '../../shared/run/index.js';
import type { RunSummary } from '../../shared/run/index.js';

export const WEBHOOK_BODY_LIMIT = 64 * 1024;

export interface AppBindings {
  readonly platform: Platform;
}

type AppContext = Context<{ Bindings: AppBindings }>;

export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 413 | 500 | 502 | 503,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/** What a user can cause maps to a status and a message that names the field; anything else is opaque. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof RunOptionsError) return new HttpError(error.code === 'escalation-refused' ? 403 : 400, error.code, error.message);
  if (error instanceof MalformedEventError) return new HttpError(400, 'malformed-event', error.message);
  if (error instanceof ConfigError) return new HttpError(500, 'bad-configuration', error.message);
  if (error instanceof MissingCredentialsError) return new HttpError(500, 'missing-credentials', error.message);
  return new HttpError(500, 'internal-error', 'The run could not complete; see the function log for the request id');
}

/** Reads the body up to `limit` bytes; one byte more is a 413, whatever Content-Length claimed. */
async function readLimited(request: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw new HttpError(413, 'payload-too-large', `The body is larger than ${limit} bytes`);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, 'payload-too-large', `The body is larger than ${limit} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function parseJsonBody(raw: Uint8Array): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    throw new HttpError(400, 'invalid-json', 'The body is not JSON; send run options such as {"mode":"dry-run","domains":["example.com"]}');
  }
}

function summaryStatus(summary: RunSummary): 200 | 502 {
  return summary.run.outcome === 'failed' ? 502 : 200;
}

export function createApp(deps: InvocationDeps & { readonly now?: () => number }) {
  const app = new Hono<{ Bindings: AppBindings }>();

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.post('/webhook', async (c: AppContext) => {
    const secret = deps.env.WEBHOOK_SECRET?.trim();
    if (!secret) throw new HttpError(503, 'webhook-disabled', 'The webhook is disabled: WEBHOOK_SECRET is not set');
    const raw = await readLimited(c.req.raw, WEBHOOK_BODY_LIMIT);
    const verdict = verifyWebhook(
      secret,
      { timestamp: c.req.header('x-redeem-timestamp') ?? null, signature: c.req.header('x-redeem-signature') ?? null },
      raw,
      (deps.now ?? Date.now)(),
    );
    if (!verdict.ok) throw new HttpError(401, 'unauthorized', verdict.message);
    const summary = await invokeRun('webhook', parseJsonBody(raw), c.env.platform, deps, loadConfig(deps.env));
    return c.json(summary, summaryStatus(summary));
  });

  // The custom runtime's event path: timer events and direct invocations arrive here as raw bytes.
  // Through the HTTP trigger it does not exist: only the signed webhook may start a run from outside.
  app.post('/invoke', async (c: AppContext) => {
    if (c.env.platform.channel !== 'event') return c.json(errorBody('not-found', `No route for ${c.req.method} ${c.req.path}`), 404);
    try {
      const { trigger, options } = optionsFromEvent(decodeEvent(Buffer.from(await c.req.arrayBuffer())));
      const summary = await invokeRun(trigger, options, c.env.platform, deps);
      c.header('x-fc-status', summary.run.outcome === 'failed' ? '404' : '200');
      return c.json(summary, summaryStatus(summary));
    } catch (error) {
      const http = toHttpError(error);
      c.header('x-fc-status', '404');
      return c.json(errorBody(http.code, http.message), http.status);
    }
  });

  app.notFound((c) => c.json(errorBody('not-found', `No route for ${c.req.method} ${c.req.path}`), 404));
  app.onError((error, c) => {
    const http = toHttpError(error);
    if (http.status === 500 && http.code === 'internal-error') {
      // Our own errors never carry a credential; the stack stays out of the log line and the answer.
      process.stderr.write(`${JSON.stringify({ level: 'ERROR', message: 'unhandled error', fc_request_id: c.env?.platform?.requestId, error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown' })}\n`);
    }
    return c.json(errorBody(http.code, http.message), http.status);
  });
  return app;
}
