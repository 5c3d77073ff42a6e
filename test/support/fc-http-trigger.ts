/**
 * An FC 3.0 HTTP-trigger stand-in: a loopback HTTP server that turns each real request into the event the
 * built-in runtime hands a handler, and the handler's response struct back into an HTTP answer. Written
 * from FC's published event format (test/fixtures/fc-events/README.md; the vendor's "HTTP trigger invoking
 * function" page), not from the project's adapter:
 * - `rawPath` is the URL-encoded path without the query string; `requestContext.http.path` the decoded one;
 * - `headers` keep the caller's case, and a repeated header arrives once, its values joined with ","; a
 *   value's bytes are read as UTF-8 (the event is JSON text; how FC carries other bytes is not documented);
 * - `queryParameters` likewise join a repeated key's values with ",";
 * - `body` is a string, base64 with `isBase64Encoded: true` when FC judges it binary (which content types
 *   FC judges so is not documented: the `base64` option picks, default always, as in the docs' sample);
 * - `requestContext.timeEpoch` is a string of milliseconds, `time` ISO-8601.
 * What the handler throws is answered 502 with the error's name and message (FC's own shape for that is
 * not documented) and kept in `thrown`, so a test can tell a thrown error from an answer.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export type FcHandler = (event: unknown, context: unknown) => Promise<unknown>;

export interface TriggerStandinOptions {
  readonly handler: FcHandler;
  /** The context for one invocation (its request id given). */
  readonly context: (requestId: string) => unknown;
  /** always (the docs' sample), never, or binary: base64 unless the content type is text or JSON. */
  readonly base64?: 'always' | 'never' | 'binary';
}

export interface TriggerStandin {
  readonly url: string;
  /** Every event handed to the handler, in order. */
  readonly events: Record<string, any>[];
  /** What the handler threw, per request id. */
  readonly thrown: Map<string, unknown>;
  close(): Promise<void>;
}

function joined(raw: readonly string[]): Record<string, string> {
  // rawHeaders alternates name, value; the first spelling of a name is kept, repeated values are joined.
  const out: Record<string, string> = {};
  const spelling = new Map<string, string>();
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const key = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), key);
    // Node reads header bytes as latin1; the event is JSON text, so bytes that form UTF-8 travel as those characters.
    const value = Buffer.from(raw[i + 1]!, 'latin1').toString('utf8');
    out[key] = key in out ? `${out[key]},${value}` : value;
  }
  return out;
}

const TEXT = /^(text\/|application\/(json|xml|x-www-form-urlencoded))/i;

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startTriggerStandin(options: TriggerStandinOptions): Promise<TriggerStandin> {
  const events: Record<string, any>[] = [];
  const thrown = new Map<string, unknown>();
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const url = new URL(req.url ?? '/', 'http://trigger.invalid');
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
    const headers = joined(req.rawHeaders);
    // Hop-by-hop headers are the connection's, not the request's.
    for (const name of Object.keys(headers)) if (/^(connection|keep-alive|host)$/i.test(name)) delete headers[name];
    const mode = options.base64 ?? 'always';
    const base64 = mode === 'always' || (mode === 'binary' && !TEXT.test(req.headers['content-type'] ?? ''));
    const requestId = `1-${randomUUID()}`;
    const now = Date.now();
    const event = {
      version: 'v1',
      rawPath: url.pathname,
      body: base64 ? body.toString('base64') : body.toString('utf8'),
      isBase64Encoded: base64,
      headers,
      queryParameters: query,
      requestContext: {
        accountId: '1234567890123456',
        domainName: 'redeem-abcdefghij.cn-hangzhou.fcapp.run',
        domainPrefix: 'redeem-abcdefghij',
        http: { method: req.method ?? 'GET', path: decodeURIComponent(url.pathname), protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: req.headers['user-agent'] ?? '' },
        requestId,
        time: new Date(now).toISOString(),
        timeEpoch: String(now),
      },
    };
    events.push(event);
    try {
      const struct = (await options.handler(Buffer.from(JSON.stringify(event)), options.context(requestId))) as {
        statusCode: number;
        headers?: Record<string, string>;
        isBase64Encoded?: boolean;
        body?: string;
      };
      const out = Buffer.from(struct.body ?? '', struct.isBase64Encoded ? 'base64' : 'utf8');
      const kept = Object.entries(struct.headers ?? {}).filter(([name]) => !/^(connection|content-length|date|keep-alive|server|upgrade|x-fc-.*)$/i.test(name));
      res.writeHead(struct.statusCode, Object.fromEntries(kept));
      res.end(req.method === 'HEAD' ? undefined : out);
    } catch (error) {
      thrown.set(requestId, error);
      res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errorType: (error as Error)?.name, errorMessage: (error as Error)?.message }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    thrown,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface CustomRuntimeFrontOptions {
  /** The custom-runtime server's base URL. */
  readonly target: string;
  /** The role's credentials and the function's timeout, as FC passes them. */
  readonly credentials: { readonly accessKeyId: string; readonly accessKeySecret: string; readonly securityToken: string };
  readonly timeoutSeconds: number;
}

/**
 * FC's HTTP trigger in front of a custom runtime (the docs' "passed through: original method, path, query,
 * headers, body + common headers"): a caller's own x-fc-* headers are not passed on (clients may not send
 * them), and FC's are added: x-fc-request-id, x-fc-control-path: /http-invoke, the role's
 * x-fc-access-key-id / -secret / x-fc-security-token and x-fc-function-timeout. `requestIds` lists the ids given.
 */
export async function startCustomRuntimeFront(options: CustomRuntimeFrontOptions): Promise<{ url: string; requestIds: string[]; close(): Promise<void> }> {
  const requestIds: string[] = [];
  const server = createServer(async (req, res) => {
    const body = await readAll(req);
    const headers: Record<string, string> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (/^(x-fc-.*|connection|keep-alive|host|content-length|transfer-encoding)$/i.test(name)) continue;
      headers[name] = name in headers ? `${headers[name]},${req.rawHeaders[i + 1]}` : req.rawHeaders[i + 1]!;
    }
    const requestId = `1-${randomUUID()}`;
    requestIds.push(requestId);
    Object.assign(headers, {
      'x-fc-request-id': requestId,
      'x-fc-control-path': '/http-invoke',
      'x-fc-access-key-id': options.credentials.accessKeyId,
      'x-fc-access-key-secret': options.credentials.accessKeySecret,
      'x-fc-security-token': options.credentials.securityToken,
      'x-fc-function-timeout': String(options.timeoutSeconds),
    });
    const method = req.method ?? 'GET';
    const answer = await fetch(options.target + (req.url ?? '/'), { method, headers, body: method === 'GET' || method === 'HEAD' ? undefined : body });
    const out = Buffer.from(await answer.arrayBuffer());
    const kept: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!/^(connection|content-length|date|keep-alive|server|upgrade|x-fc-.*|transfer-encoding|content-encoding)$/i.test(name)) kept[name] = value;
    });
    res.writeHead(answer.status, kept);
    res.end(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requestIds,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
