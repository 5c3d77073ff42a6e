/**
 * Our FC 3.0 HTTP adapter: an HTTP trigger event becomes a web Request, and a web Response becomes the
 * response struct FC expects. Text bodies travel as text; anything else as base64.
 */
import type { FcHttpEvent } from './events.js';

export interface FcHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly isBase64Encoded: boolean;
  readonly body: string;
}

/**
 * The event's headers as a web Headers. The event is JSON text, so FC hands a header's bytes over as the
 * characters they spell in UTF-8 (a monitor's `X-Source: 监控`), or U+FFFD for bytes that are not UTF-8;
 * web Headers take only byte strings and throw on anything above U+00FF, which failed the whole request
 * with a 500. Such a value is turned back into its bytes, one character per byte, as a Node HTTP server
 * (the custom runtime) presents the same request. A name or value no HTTP request can carry (a space in
 * a name, a line break in a value) is dropped: the app reads only its own x-redeem-* headers, which a
 * caller cannot lose this way without the signature check saying so.
 */
function requestHeaders(given: Readonly<Record<string, string | null>>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(given)) {
    // null: no text to carry, so no header (the app reads none it could miss this way unnoticed, as above).
    if (value === null) continue;
    const bytes = /[^\x00-\x7f]/.test(value) ? Buffer.from(value, 'utf8').toString('latin1') : value;
    try {
      headers.append(name, bytes);
    } catch {
      // Not a header HTTP can carry: see above.
    }
  }
  return headers;
}

export function eventToRequest(event: FcHttpEvent): Request {
  const host = event.requestContext.domainName || 'localhost';
  const url = new URL(`https://${host}${event.rawPath.startsWith('/') ? '' : '/'}${event.rawPath}`);
  // FC joins repeated query values with commas and gives no raw query string: the joined value is kept as one.
  // A key with a null value is the key alone (`?verbose`), an empty value as the web reads it.
  for (const [name, value] of Object.entries(event.queryParameters ?? {})) url.searchParams.append(name, value ?? '');
  const method = event.requestContext.http.method.toUpperCase();
  const headers = requestHeaders(event.headers ?? {});
  const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== undefined && event.body !== null && event.body !== '';
  const body = hasBody ? bodyStream(event.body!, event.isBase64Encoded === true) : undefined;
  return new Request(url, { method, headers, body, duplex: 'half' } as RequestInit);
}

/** Characters of the event's body turned into bytes per read: 16 KiB of base64 is 12 KiB of bytes. */
const PIECE = 16 * 1024;
const NOT_BASE64 = /[^A-Za-z0-9+/=_-]/g;

/**
 * The body as a stream decoded one piece per read, not all at once: FC lets a 32 MB body through
 * (function-compute.md, Limits), and the webhook reads 64 KiB before it refuses. Decoded whole, the body
 * cost 24 MB more (plus its copy in the Request) and the time to decode it, for a 413 that needed a few
 * pieces; a caller could send that again and again to an instance of 256 MB. The bytes are exactly those
 * of Buffer.from on the whole string: base64 skips what is not in its alphabet (a line break) and decodes
 * whole groups of four, keeping the rest for the next piece; text never splits a surrogate pair.
 */
function bodyStream(text: string, base64: boolean): ReadableStream<Uint8Array> {
  let at = 0;
  let carry = '';
  // One piece per pull, never none: a stream does not pull again after a pull that enqueued nothing.
  const next = (): Uint8Array | undefined => {
    while (at < text.length) {
      let end = Math.min(at + PIECE, text.length);
      let bytes: Buffer;
      if (base64) {
        const chars = carry + text.slice(at, end).replace(NOT_BASE64, '');
        const whole = chars.length - (chars.length % 4);
        carry = chars.slice(whole);
        bytes = Buffer.from(chars.slice(0, whole), 'base64');
      } else {
        const last = text.charCodeAt(end - 1);
        if (end < text.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
        bytes = Buffer.from(text.slice(at, end), 'utf8');
      }
      at = end;
      if (bytes.length > 0) return bytes;
    }
    const rest = carry ? Buffer.from(carry, 'base64') : undefined;
    carry = '';
    return rest && rest.length > 0 ? rest : undefined;
  };
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const bytes = next();
      if (bytes) controller.enqueue(bytes);
      else controller.close();
    },
  });
}

const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

function isTextResponse(headers: Headers): boolean {
  const type = headers.get('content-type') ?? '';
  const encoding = headers.get('content-encoding');
  return (!encoding || encoding === 'identity') && (type === '' || TEXT_TYPES.test(type));
}

export async function responseToStruct(response: Response): Promise<FcHttpResponse> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const text = isTextResponse(response.headers);
  return { statusCode: response.status, headers, isBase64Encoded: !text, body: text ? bytes.toString('utf8') : bytes.toString('base64') };
}
