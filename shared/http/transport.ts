/**
 * One HTTP exchange over node:http / node:https. Not fetch: in Node 20 the first fetch loads undici,
 * which `npm run bench` measured at about 35 ms of every cold start against 7 ms for node:http, and the
 * function pays for cold starts. The global agents keep connections alive between calls.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpExchange {
  readonly method: string;
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Uint8Array | undefined;
  /** The whole exchange, from connecting to the last byte of the answer. */
  readonly timeoutMs: number;
  /** A larger answer is abandoned (HttpBodyTooLargeError) instead of being buffered; no limit when unset. */
  readonly maxBodyBytes?: number | undefined;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  constructor(timeoutMs: number) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

export class HttpBodyTooLargeError extends Error {
  override readonly name = 'HttpBodyTooLargeError';
  constructor(readonly maxBodyBytes: number) {
    super(`answer larger than ${maxBodyBytes} bytes`);
  }
}

export function send(exchange: HttpExchange): Promise<HttpAnswer> {
  const url = new URL(exchange.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {};
  for (const [name, value] of exchange.headers) headers[name] = value;
  if (exchange.body !== undefined) headers['content-length'] = String(Buffer.byteLength(exchange.body));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: exchange.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (exchange.maxBodyBytes === undefined || size <= exchange.maxBodyBytes) return void chunks.push(chunk);
        fail(new HttpBodyTooLargeError(exchange.maxBodyBytes));
        req.destroy();
      });
      res.on('end', () => {
        clearTimeout(timer);
        if (exchange.maxBodyBytes === undefined || size <= exchange.maxBodyBytes) resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', fail);
    });
    const timer = setTimeout(() => req.destroy(new HttpTimeoutError(exchange.timeoutMs)), exchange.timeoutMs);
    function fail(error: Error) {
      clearTimeout(timer);
      reject(error);
    }
    req.on('error', fail);
    req.end(exchange.body);
  });
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
