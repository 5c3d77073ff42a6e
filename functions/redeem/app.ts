/**
 * One Hono app for every runtime. Platform objects (FC credentials, request id, timeout) reach the routes
 * through c.env.platform, set by the built-in handler from FC's context or by the custom-runtime server
 * from FC's x-fc-* headers.
 */
import type { Context } from 'hono';
import { Hono } from 'hono/tiny';
import { ConfigError, loadConfig } from '../../shared/config/index.js';
import { errorBody, httpStatusFor, toUserError, UserError } from '../../shared/errors/index.js';
import { ReplayGuard, decodeEvent, invokeRun, isDoctorReport, optionsFromEvent, recordStartFailure, verifyWebhook, webhookSecretProblem, type InvocationDeps, type InvocationResult, type Platform } from '../../shared/fc/index.js';
import { createLogger } from '../../shared/log/index.js';
import { duplicateKey, looksUtf16 } from '../../shared/validation/index.js';

const WEBHOOK_BODY_LIMIT = 64 * 1024;
/** Characters: an HMAC key short enough to guess in a few tries would let anyone sign orders. */

interface AppBindings {
  readonly platform: Platform;
}

type AppContext = Context<{ Bindings: AppBindings }>;

/** The size when Content-Length states it; else only that it is more than the limit (the rest is never read). */
const tooLarge = (bytes?: number) =>
  new UserError('payload-too-large', `The body is ${bytes !== undefined ? `${bytes}` : `more than ${WEBHOOK_BODY_LIMIT}`} bytes; the limit is ${WEBHOOK_BODY_LIMIT} bytes (${WEBHOOK_BODY_LIMIT / 1024} KiB)`);

/**
 * Reads the body up to the limit; one byte more is a 413, whatever Content-Length claimed. Hand-written
 * rather than Hono's bodyLimit, which trusts a Content-Length header that an FC event's headers can state
 * falsely (the body there comes from the event, not from a framed HTTP stream).
 */
async function readLimited(request: Request): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > WEBHOOK_BODY_LIMIT) throw tooLarge(Number.isSafeInteger(declared) ? declared : undefined);
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > WEBHOOK_BODY_LIMIT) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const UTF16 = 'The body is UTF-16 text (or holds NUL bytes); send the JSON as UTF-8';

function parseJsonBody(raw: Uint8Array, contentType: string | undefined, contentEncoding: string | undefined): unknown {
  if (raw.length === 0) return {};
  // Nothing here undoes a Content-Encoding (the custom runtime's server does not; whether FC's front does is
  // not documented): gzip bytes were read as text and refused as "UTF-16 (or holds NUL bytes)", sending a
  // caller whose sender compresses (a webhook relay, an HTTP client's gzip option) to fix an encoding of the
  // text that was never wrong. Bytes that do not read as JSON under a Content-Encoding (or that start like
  // gzip, 1f 8b, RFC 1952) are named as compressed (415, RFC 9110 15.5.16); a body that is JSON runs,
  // whatever the header says (a front that decompressed it and kept the header).
  const encoding = contentEncoding?.trim().toLowerCase();
  const compressed = (encoding && encoding !== 'identity') || (raw[0] === 0x1f && raw[1] === 0x8b);
  const refuse = (problem: string, error: unknown): never => {
    if (compressed) {
      const named = encoding && encoding !== 'identity' ? `sent with Content-Encoding: ${encoding.slice(0, 40)}` : 'gzip-compressed';
      throw new UserError('unsupported-encoding', `The body is ${named}; send the JSON uncompressed (no Content-Encoding header)`, { cause: error });
    }
    throw new UserError('invalid-json', problem, { cause: error });
  };
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(raw).replace(/^\uFEFF/, '');
  } catch (error) {
    if (looksUtf16(raw)) refuse(UTF16, error);
    const charset = /charset\s*=\s*"?([\w.:-]{1,40})/i.exec(contentType ?? '')?.[1];
    return refuse(`The body is not UTF-8${charset ? ` (its Content-Type says charset=${charset})` : ''}; send the JSON as UTF-8`, error);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    if (looksUtf16(raw)) refuse(UTF16, error);
    return refuse('The body is not JSON; send run options such as {"mode":"dry-run","domains":["example.com"]}', error);
  }
  // JSON.parse keeps a repeated field's last value; the caller (or what checked its request) may have read
  // the first: {"mode":"dry-run",…,"mode":"live"} would order for a caller who meant a dry run.
  const repeated = duplicateKey(text);
  if (repeated !== undefined) {
    throw new UserError('invalid-json', `The body names the field ${JSON.stringify(repeated.slice(0, 64))} twice; send each field once`);
  }
  return value;
}

/** 502 for a run (or an orchestrating run) that failed as a whole; a doctor's report is an answer whatever it found. */
function resultStatus(result: InvocationResult): 200 | 502 {
  return !isDoctorReport(result) && result.run.outcome === 'failed' ? 502 : 200;
}

export function createApp(deps: InvocationDeps & { readonly now?: () => number }) {
  const app = new Hono<{ Bindings: AppBindings }>();
  const logger = deps.logger ?? createLogger();
  const replays = new ReplayGuard();
  const now = deps.now ?? deps.clock?.now ?? Date.now;

  const answerError = (c: AppContext, error: unknown) => {
    const user = toUserError(error);
    // No run record will say it: without a line, a caller whose signing broke (or someone trying the URL)
    // goes unnoticed by whoever reads the function log. The code only: never the signature or the body.
    // A URL pasted with a trailing slash (POST /webhook/) reaches the webhook too (test/function/handler.test.ts).
    if (c.req.path.replace(/\/+$/, '') === '/webhook' && user.code !== 'internal-error') {
      logger.warn('webhook refused', { fc_request_id: c.env?.platform?.requestId, status: httpStatusFor(user), code: user.code });
    }
    if (user.code === 'internal-error') {
      // Our own errors never carry a credential; the stack stays out of the log line and the answer.
      logger.error('unhandled error', { fc_request_id: c.env?.platform?.requestId, error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown' });
    }
    return c.json(errorBody(user), httpStatusFor(user));
  };

  // Says whether the configuration is valid, naming the bad variables but never their values; no cloud call.
  app.get('/healthz', (c) => {
    // A WEBHOOK_SECRET set too short refuses every webhook (the trigger's one job) and fails the doctor's
    // config check: it is named too. Unset, the function has no webhook, by choice.
    const weakSecret = webhookSecretProblem(deps.env.WEBHOOK_SECRET) ? ['WEBHOOK_SECRET'] : [];
    let invalid: string[] = [];
    try {
      loadConfig(deps.env);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      invalid = error.problems.map((p) => p.variable);
    }
    // 503: an uptime monitor reads the status, and every run of a misconfigured function fails.
    if (invalid.length === 0 && weakSecret.length === 0) return c.json({ status: 'ok' });
    return c.json({ status: 'misconfigured', invalid: [...new Set([...invalid, ...weakSecret])] }, 503);
  });

  app.post('/webhook', async (c: AppContext) => {
    const secret = deps.env.WEBHOOK_SECRET?.trim();
    if (!secret) throw new UserError('webhook-disabled', 'The webhook is disabled: WEBHOOK_SECRET is not set');
    const weak = webhookSecretProblem(secret);
    if (weak) throw new UserError('webhook-disabled', `The webhook is disabled: ${weak}`);
    const raw = await readLimited(c.req.raw);
    const headers = { timestamp: c.req.header('x-redeem-timestamp') ?? null, signature: c.req.header('x-redeem-signature') ?? null };
    const verdict = verifyWebhook(secret, headers, raw, now());
    // A sender that cannot set headers puts them in the URL: "are required" had the caller look for a typo.
    const inQuery = !headers.timestamp && !headers.signature && (c.req.query('x-redeem-signature') ?? c.req.query('x-redeem-timestamp')) !== undefined;
    if (!verdict.ok) throw new UserError('unauthorized', inQuery ? 'x-redeem-timestamp and x-redeem-signature are read from the request headers, not the query string' : verdict.message);
    if (!replays.accept(verdict.signature, now())) throw new UserError('replayed', 'This signed request was already received; sign each request with a fresh timestamp');
    const summary = await invokeRun('webhook', parseJsonBody(raw, c.req.header('content-type'), c.req.header('content-encoding')), c.env.platform, { ...deps, logger });
    return c.json(summary, resultStatus(summary));
  });

  // The custom runtime's event path: timer events and direct invocations arrive here as raw bytes.
  // Through the HTTP trigger it does not exist: only the signed webhook may start a run from outside.
  app.post('/invoke', async (c: AppContext) => {
    if (c.env.platform.channel !== 'event') return c.json(errorBody({ code: 'not-found', message: `No route for ${c.req.method} ${c.req.path}` }), 404);
    try {
      const decoded = decodeEvent(Buffer.from(await c.req.arrayBuffer()));
      let event: ReturnType<typeof optionsFromEvent>;
      try {
        event = optionsFromEvent(decoded);
      } catch (error) {
        // Only a timer's payload fails here: s.yaml's own, so every daily run fails alike: recorded and told.
        await recordStartFailure('timer', error, c.env.platform, { ...deps, logger });
        throw error;
      }
      const { trigger, options } = event;
      const summary = await invokeRun(trigger, options, c.env.platform, { ...deps, logger });
      c.header('x-fc-status', resultStatus(summary) === 502 ? '404' : '200');
      return c.json(summary, resultStatus(summary));
    } catch (error) {
      c.header('x-fc-status', '404');
      return answerError(c, error);
    }
  });

  // The route exists for another method: saying "no route" would send a person checking the URL in a
  // browser (GET /webhook) looking for a deployment problem that is not there.
  // Through answerError: a GET of the webhook URL (someone trying it) leaves its refusal line like any other.
  const wrongMethod = (allow: string) => (c: AppContext) => {
    c.header('allow', allow);
    return answerError(c, new UserError('method-not-allowed', `${c.req.method} ${c.req.path}: use ${allow.replace(', ', ' or ')}`));
  };
  app.all('/webhook', wrongMethod('POST'));
  app.all('/healthz', wrongMethod('GET, HEAD'));

  app.notFound((c) => c.json(errorBody({ code: 'not-found', message: `No route for ${c.req.method} ${c.req.path}` }), 404));
  app.onError((error, c) => answerError(c, error));
  return app;
}
