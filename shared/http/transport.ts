/**
 * One HTTP exchange over node:http / node:https. Not fetch: in Node 20 the first fetch loads undici,
 * which `npm run bench` measured at about 35 ms of every cold start against 7 ms for node:http, and the
 * function pays for cold starts. The global agents keep connections alive between calls.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';

/** The largest answer read by default: a 1,000-item Domain API page is well under 2 MB. */
const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface HttpExchange {
  readonly method: string;
  readonly url: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body?: string | Uint8Array | undefined;
  /** The whole exchange, from connecting to the last byte of the answer. */
  readonly timeoutMs: number;
  /** An answer larger than this is cut off and fails (a misbehaving server must not exhaust memory). */
  readonly maxBodyBytes?: number;
  /**
   * Send on a new connection, closed after the answer, instead of an idle keep-alive one. For a call that
   * must not happen twice: a server may close an idle connection just as it is reused, and the reset that
   * follows (before any answer byte) cannot be told from one after the server took the request, so the
   * call's outcome would be unknown though it never arrived. A new connection has no such race.
   */
  readonly freshConnection?: boolean;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  /**
   * @param written the whole request had been handed to the connection (its 'finish'): the server may have
   * read it and acted (a chat robot posted), only its answer did not come.
   */
  constructor(
    timeoutMs: number,
    readonly written = false,
  ) {
    super(`no complete answer within ${timeoutMs} ms`);
  }
}

export class ResponseTooLargeError extends Error {
  override readonly name = 'ResponseTooLargeError';
  readonly code = 'ResponseTooLarge';
  constructor(limit: number) {
    super(`the answer is larger than ${limit} bytes`);
  }
}

/** A content-coded answer (Content-Encoding) that does not decode. */
export class ContentDecodingError extends Error {
  override readonly name = 'ContentDecodingError';
  readonly code = 'ContentDecoding';
  constructor(coding: string, options?: ErrorOptions) {
    super(`the answer's ${coding} content coding does not decode`, options);
  }
}

/**
 * The body with its Content-Encoding undone. The requests send no Accept-Encoding, which HTTP reads as
 * "any coding is acceptable" (RFC 9110 12.5.3), so a server or a gateway in front of it may gzip its
 * answers; read as they came, every one would be "not JSON". The decoded size is bounded like the body
 * (a small compressed answer may inflate to gigabytes).
 */
function decodeContent(body: Buffer, encoding: string | string[] | undefined, limit: number): Buffer {
  // No bytes are the empty body in any coding: a gateway that stamps Content-Encoding on every answer (a
  // 204, SLS's empty 200 to a stored PutLogs) sends nothing to decode, and gunzip calls zero bytes a
  // truncated stream. Read as undecodable, a delivery that arrived counted as failed and was sent again.
  if (body.length === 0) return body;
  const codings = (Array.isArray(encoding) ? encoding.join(',') : (encoding ?? ''))
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  let out = body;
  // Codings are listed in the order they were applied: undo them last first.
  for (const coding of codings.reverse()) {
    const options = { maxOutputLength: limit };
    try {
      if (coding === 'gzip' || coding === 'x-gzip') out = gunzipSync(out, options);
      else if (coding === 'deflate') {
        // "deflate" is zlib-wrapped by the spec; some servers send it raw.
        try {
          out = inflateSync(out, options);
        } catch (error) {
          if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw error;
          out = inflateRawSync(out, options);
        }
      } else if (coding === 'br') out = brotliDecompressSync(out, options);
      else throw new ContentDecodingError(coding);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new ResponseTooLargeError(limit);
      if (error instanceof ContentDecodingError) throw error;
      throw new ContentDecodingError(coding, { cause: error });
    }
  }
  return out;
}

/** Whether each error send() rejected with came after the whole request was handed to the connection. */
const WRITTEN = new WeakMap<object, boolean>();

/**
 * For an error send() rejected with: true when the whole request had been handed to the connection (a
 * reset after it, an answer cut off or undecodable: the server may have read it and acted), false when it
 * had not (the server cannot have read it whole), undefined for an error that is not send()'s.
 */
export function requestWritten(error: unknown): boolean | undefined {
  return typeof error === 'object' && error !== null ? WRITTEN.get(error) : undefined;
}

export function send(exchange: HttpExchange): Promise<HttpAnswer> {
  const url = new URL(exchange.url);
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const headers: Record<string, string> = {};
  for (const [name, value] of exchange.headers) headers[name] = value;
  if (exchange.body !== undefined) headers['content-length'] = String(Buffer.byteLength(exchange.body));
  const limit = exchange.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  return new Promise((resolve, reject) => {
    let settled = false;
    function fail(error: Error) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      WRITTEN.set(error, written);
      reject(error);
    }
    const req = request(url, { method: exchange.method, headers, ...(exchange.freshConnection ? { agent: false } : {}) }, (res) => {
      // Every later error of this answer (after a cut-off, say) is ours to report once, never uncaught.
      res.on('error', fail);
      const tooLarge = () => {
        fail(new ResponseTooLargeError(limit));
        res.destroy();
        req.destroy();
      };
      if (Number(res.headers['content-length']) > limit) return tooLarge();
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) tooLarge();
        else chunks.push(chunk);
      });
      res.on('end', () => {
        if (settled) return;
        let body: Buffer;
        try {
          body = decodeContent(Buffer.concat(chunks), res.headers['content-encoding'], limit);
        } catch (error) {
          return fail(error as Error);
        }
        settled = true;
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    let written = false;
    const timer = setTimeout(() => {
      fail(new HttpTimeoutError(exchange.timeoutMs, written));
      req.destroy();
    }, Math.max(1, exchange.timeoutMs));
    req.on('finish', () => (written = true));
    req.on('error', fail);
    req.end(exchange.body);
  });
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
