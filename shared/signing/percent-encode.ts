/**
 * RFC 3986 percent-encoding as Alibaba Cloud signs it: keep A-Z a-z 0-9 - _ . ~, encode every other
 * UTF-8 byte as %XY with uppercase hex. Space becomes %20 (never +) and * becomes %2A.
 * encodeURIComponent already keeps exactly the unreserved set plus ! ' ( ) *, so only those five differ.
 */
const UNRESERVED_ONLY = /^[A-Za-z0-9\-_.~]*$/;

/** A UTF-16 surrogate without its pair. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function percentEncode(text: string): string {
  if (UNRESERVED_ONLY.test(text)) return text;
  // A lone surrogate has no UTF-8 form and encodeURIComponent throws "URI malformed" on it. It comes in as
  // valid JSON ("\ud800") from an answer we do not control (a TaskNo we ask about), and a throw here failed
  // the whole run. It is encoded as U+FFFD, what any UTF-8 writer puts on the wire for it, so the signed
  // string and the sent one stay the same.
  return encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD')).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Encodes a URL path segment by segment, keeping the "/" separators. */
export function percentEncodePath(decodedPath: string): string {
  if (decodedPath === '/') return decodedPath;
  return decodedPath.split('/').map(percentEncode).join('/');
}

/**
 * Decodes one component of a query string or path with RFC 3986 semantics: "+" stays "+"
 * (URLSearchParams would turn it into a space, which is form encoding, not what we send).
 */
export function percentDecode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    // A lone "%" that is not an escape is taken literally, as servers do.
    return text;
  }
}

/** Splits a URL's search string ("?a=1&b=") into decoded [name, value] pairs, in order. */
export function parseQueryPairs(search: string): Array<[string, string]> {
  const raw = search.startsWith('?') ? search.slice(1) : search;
  if (raw === '') return [];
  return raw
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1
        ? [percentDecode(part), '']
        : [percentDecode(part.slice(0, eq)), percentDecode(part.slice(eq + 1))];
    });
}

/** Builds a query string from pairs, encoding each name and value exactly once. */
export function formatQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  return pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
}
