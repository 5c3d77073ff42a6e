/**
 * Allow- and deny-list patterns: `example.com` (that domain), `*.example.com` or `*.com.cn` (any domain
 * under that suffix), `*` (every domain). Names compare in their ASCII (punycode) form, lowercase.
 */
import { domainToASCII } from 'node:url';
import { echoed } from './env.js';

export type DomainPattern = { readonly kind: 'all' } | { readonly kind: 'exact'; readonly name: string } | { readonly kind: 'suffix'; readonly suffix: string };

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** The canonical form of a domain name, or undefined when it is not one. */
export function normalizeDomainName(input: string): string | undefined {
  const trimmed = input.trim().toLowerCase();
  // domainToASCII parses a URL's host: it cuts "b.com/a.com" (and ? # \\) to "b.com" and decodes %41. No
  // domain name holds any of these, nor white space.
  if (trimmed === '' || /[\s/?#\\%]/.test(trimmed)) return undefined;
  // The one trailing dot of a fully qualified name is cut after IDNA has mapped the dots: an ideographic full
  // stop (U+3002, "held.com。") is one too, and cut before, it left "held.com." that matched no domain.
  const ascii = domainToASCII(trimmed).replace(/\.$/, '');
  if (!ascii || ascii.length > 253) return undefined;
  const labels = ascii.split('.');
  // A TLD is never all digits: "1.2.3.4" (or "0x7f.1", which it reads as 127.0.0.1) is an IP address.
  return labels.length >= 2 && labels.every((label) => LABEL.test(label)) && !/^\d+$/.test(labels.at(-1)!) ? ascii : undefined;
}

class PatternError extends Error {
  override readonly name = 'PatternError';
}

function parsePattern(input: string): DomainPattern {
  const text = input.trim();
  // Patterns one a line (a YAML block in s.yaml) or apart by spaces: each part quoted, the whole (line
  // breaks and all) would be hidden by echoed() as if it were a secret.
  const parts = text.split(/\s+/);
  if (parts.length > 1 && parts.every(isPattern)) {
    throw new PatternError(`${parts.slice(0, 3).map(echoed).join(', ')}${parts.length > 3 ? ', …' : ''} are apart by white space or a line break: separate patterns with commas`);
  }
  if (text === '*') return { kind: 'all' };
  if (text.startsWith('*.')) {
    // A trailing dot (the root) as normalizeDomainName takes it from a name: "*.com." is "*.com".
    const rest = text.slice(2).replace(/\.$/, '');
    // A suffix may be a single label ("*.com"), unlike a domain name.
    const suffix = normalizeDomainName(rest.includes('.') ? rest : `x.${rest}`);
    if (!suffix) throw new PatternError(`${echoed(text)} is not a valid pattern`);
    return { kind: 'suffix', suffix: rest.includes('.') ? suffix : suffix.slice(2) };
  }
  const name = normalizeDomainName(text);
  if (!name) throw new PatternError(`${echoed(text)} is not a domain name or a pattern such as *.example.com`);
  return { kind: 'exact', name };
}

function isPattern(text: string): boolean {
  try {
    parsePattern(text);
    return true;
  } catch {
    return false;
  }
}

/** Parses a comma-separated list; empty entries (a trailing comma) are ignored, junk is refused by name. */
export function parsePatternList(text: string): DomainPattern[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map(parsePattern);
}

function matchesPattern(domainName: string, pattern: DomainPattern): boolean {
  switch (pattern.kind) {
    case 'all':
      return true;
    case 'exact':
      return domainName === pattern.name;
    case 'suffix':
      return domainName.endsWith(`.${pattern.suffix}`);
  }
}

export function matchesAny(domainName: string, patterns: readonly DomainPattern[]): boolean {
  return patterns.some((pattern) => matchesPattern(domainName, pattern));
}
