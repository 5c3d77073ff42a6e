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
function requestHeaders(given: Readonly<Record<string, string>>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(given)) {
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
  for (const [name, value] of Object.entries(event.queryParameters ?? {})) url.searchParams.append(name, value);
  const method = event.requestContext.http.method.toUpperCase();
  const headers = requestHeaders(event.headers ?? {});
  const hasBody = method !== 'GET' && method !== 'HEAD' && event.body !== undefined && event.body !== null && event.body !== '';
  const body = hasBody ? (event.isBase64Encoded ? Buffer.from(event.body!, 'base64') : Buffer.from(event.body!, 'utf8')) : undefined;
  return new Request(url, { method, headers, body });
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
