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

export function eventToRequest(event: FcHttpEvent): Request {
  const host = event.requestContext.domainName || 'localhost';
  const url = new URL(`https://${host}${event.rawPath.startsWith('/') ? '' : '/'}${event.rawPath}`);
  // FC joins repeated query values with commas and gives no raw query string: the joined value is kept as one.
  for (const [name, value] of Object.entries(event.queryParameters ?? {})) url.searchParams.append(name, value);
  const method = event.requestContext.http.method.toUpperCase();
  const headers = new Headers(event.headers ?? {});
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
