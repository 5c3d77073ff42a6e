/**
 * A robot URL's token (DingTalk access_token, WeCom key, Feishu hook id, Slack path) is a secret like the
 * signing secrets. Whatever text a channel result carries (a vendor's errmsg, a network error) passes
 * through here; results show the host only.
 */
import type { ChannelTarget } from './config.js';

/** Query values and path segments long enough to be tokens, the whole URL, and the signing secret. */
export function secretsOf(target: ChannelTarget): string[] {
  const secrets = [target.url];
  // A signing secret is redacted whatever its length; URL parts only when long enough to be a token.
  const signing = target.secret && target.secret.length >= 4 ? [target.secret] : [];
  try {
    const url = new URL(target.url);
    for (const value of url.searchParams.values()) secrets.push(value);
    // As sent, too: a refusal that repeats the request line carries a token percent-encoded (a base64
    // token's + / =), which its decoded form does not match.
    for (const pair of url.search.slice(1).split('&')) secrets.push(pair.slice(pair.indexOf('=') + 1));
    for (const segment of url.pathname.split('/')) secrets.push(segment, safeDecode(segment));
    if (url.username) secrets.push(url.username);
    if (url.password) secrets.push(url.password);
  } catch {
    // The configuration validated the URL; an unparseable one is redacted whole above.
  }
  return [...signing, ...secrets.filter((s) => s.length >= 8)].sort((a, b) => b.length - a.length);
}

/** decodeURIComponent, or the text as it is where its % escapes are malformed (which must not end the list). */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}
