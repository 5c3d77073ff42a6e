/**
 * The keys of a setting that maps TLDs to something (REDEEM_TLD_RULES, REDEEM_PRICES), checked alike: a
 * key written twice (JSON.parse keeps the last without a word, so an old line left under a new one would
 * decide), a key no domain can end in ("*.xyz" would be silently unused), and two spellings of one TLD
 * (the key order would pick). Each problem names its key.
 */
import { isSuffix, normalizeSuffix } from '../run/index.js';
import { duplicateKey } from '../validation/index.js';

export interface SuffixKeys {
  /** Each accepted key's suffix ("*" as it is), in the text's order. */
  readonly suffixes: ReadonlyArray<readonly [key: string, suffix: string]>;
  readonly problems: readonly string[];
}

/** `raw`: the setting's JSON text; `keys`: its object's keys; `one`: what a key holds ("price", "rule"). */
export function checkSuffixKeys(raw: string, keys: readonly string[], options: { readonly allowStar: boolean; readonly one: string }): SuffixKeys {
  const problems: string[] = [];
  const twice = duplicateKey(raw);
  if (twice !== undefined) problems.push(`${JSON.stringify(twice)} is written twice; keep one ${options.one} for it`);
  const seen = new Set<string>();
  const suffixes: Array<readonly [string, string]> = [];
  for (const key of keys) {
    const suffix = options.allowStar && key.trim() === '*' ? '*' : normalizeSuffix(key);
    // "*" passes only where it is a key (allowStar): a TLD rule is never looked up under it.
    if (!(suffix === '*' && options.allowStar) && !isSuffix(suffix)) problems.push(`${JSON.stringify(key)} is not a TLD or suffix (e.g. "com", "com.cn", "中国")${options.allowStar ? ' nor "*"' : ''}`);
    else if (seen.has(suffix)) problems.push(`${JSON.stringify(key)} names the same TLD as another key (${suffix})`);
    else suffixes.push([key, suffix]);
    seen.add(suffix);
  }
  return { suffixes, problems };
}
