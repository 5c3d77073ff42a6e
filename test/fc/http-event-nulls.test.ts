/**
 * FC 3.0's HTTP trigger event (test/fixtures/fc-events/http-event.json, from the shared reference's
 * fc-events/) with JSON null where a field has nothing to say: no query string, no body, no User-Agent
 * header. The event is the platform's, not the caller's: such a null is "absent", not a malformed event
 * answered 400 before the app saw the request.
 */
import { describe, expect, it } from 'vitest';
import { eventToRequest } from '../../shared/fc/http-adapter.js';
import { parseHttpEvent } from '../../shared/fc/events.js';
import { readFixture } from '../support/vectors.js';

const sample = readFixture('fc-events/http-event.json');
const withHttp = (http: Record<string, unknown>) => ({ ...sample.requestContext, http: { ...sample.requestContext.http, ...http } });

describe('an HTTP trigger event with null in its optional fields', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['queryParameters: null', { queryParameters: null }],
    ['headers: null', { headers: null }],
    ['body: null', { body: null }],
    ['isBase64Encoded: null', { isBase64Encoded: null }],
    ['version: null', { version: null }],
    ['requestContext.http.userAgent: null', { requestContext: withHttp({ userAgent: null }) }],
    ['requestContext.http.sourceIp and path: null', { requestContext: withHttp({ sourceIp: null, path: null }) }],
    ['requestContext.domainName and requestId: null', { requestContext: { ...withHttp({}), domainName: null, requestId: null } }],
    ['all of them at once', { queryParameters: null, headers: null, body: null, isBase64Encoded: null, requestContext: { ...withHttp({ userAgent: null, sourceIp: null, path: null }), domainName: null, requestId: null, timeEpoch: null } }],
  ];
  for (const [name, change] of cases) {
    it(`${name} is accepted and read as absent`, () => {
      const request = eventToRequest(parseHttpEvent({ ...sample, ...change }));
      expect(request.method).toBe('POST');
      expect(new URL(request.url).pathname).toBe('/webhook');
    });
  }

  it('a POST with body: null is a request without a body', async () => {
    const request = eventToRequest(parseHttpEvent({ ...sample, body: null, headers: null }));
    expect(request.method).toBe('POST');
    expect(await request.text()).toBe('');
  });

  it('still refuses what is not an HTTP event: rawPath or the method null', () => {
    expect(() => parseHttpEvent({ ...sample, rawPath: null })).toThrow(/rawPath/);
    expect(() => parseHttpEvent({ ...sample, requestContext: withHttp({ method: null }) })).toThrow(/method/);
  });
});

/**
 * A null value inside the maps: a query key with no value (`/healthz?verbose`), a header FC has no text for.
 * Not documented either way; refused, the whole request was a 400 the app never saw.
 */
describe('null values inside headers and queryParameters', () => {
  it('a query key with a null value is the key with an empty value; a null header is left out', async () => {
    const request = eventToRequest(parseHttpEvent({ ...sample, queryParameters: { verbose: null, source: 'monitor' }, headers: { 'X-Empty': null, 'Content-Type': 'application/json' } }));
    const url = new URL(request.url);
    expect([...url.searchParams]).toEqual([['verbose', ''], ['source', 'monitor']]);
    expect(request.headers.has('x-empty')).toBe(false);
    expect(request.headers.get('content-type')).toBe('application/json');
  });
});

/**
 * isBase64Encoded as the string "true" or "false" (a front or a test tool that writes every field as text):
 * FC's own field, not the caller's. Refused, every webhook was a 400 "Malformed HTTP trigger event" the
 * caller could do nothing about; read as absent, a base64 body was taken as text and its signature "did
 * not match". The two strings are read as the booleans they spell; anything else is still refused by name.
 */
describe('isBase64Encoded given as a string', () => {
  const body = '{"mode":"dry-run"}';
  it('"true" decodes the base64 body; "false" takes the body as text', async () => {
    const encoded = eventToRequest(parseHttpEvent({ ...sample, body: Buffer.from(body).toString('base64'), isBase64Encoded: 'true' }));
    expect(await encoded.text()).toBe(body);
    const plain = eventToRequest(parseHttpEvent({ ...sample, body, isBase64Encoded: 'false' }));
    expect(await plain.text()).toBe(body);
  });

  it('another value is refused naming the field', () => {
    expect(() => parseHttpEvent({ ...sample, isBase64Encoded: 'yes' })).toThrow(/isBase64Encoded/);
    expect(() => parseHttpEvent({ ...sample, isBase64Encoded: 1 })).toThrow(/isBase64Encoded/);
  });
});
