/**
 * zod/mini ships no message locale (every issue says "Invalid input"), so messages are written here:
 * each names the field by its path and says what was expected, without echoing the value itself
 * (a value may be a secret).
 */
interface ValidationIssue {
  readonly code: string;
  readonly path: ReadonlyArray<PropertyKey>;
  readonly message?: string;
  readonly expected?: unknown;
  readonly values?: ReadonlyArray<unknown>;
  readonly keys?: ReadonlyArray<string>;
  readonly minimum?: unknown;
  readonly maximum?: unknown;
  readonly format?: string;
  /** What a size is of (zod's too_small / too_big): a string's characters, an array's items, a number. */
  readonly origin?: string;
}

/** The unit of a size limit, so that "at most 500" says what of: " characters", " items", or nothing for a number. */
function unit(issue: ValidationIssue, count: unknown): string {
  const one = count === 1 || count === 1n;
  if (issue.origin === 'string') return one ? ' character' : ' characters';
  if (issue.origin === 'array' || issue.origin === 'set') return one ? ' item' : ' items';
  return '';
}

export function issuePath(path: ReadonlyArray<PropertyKey>, root = ''): string {
  const parts = path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  const joined = `${root}${parts}`.replace(/^\./, '');
  return joined === '' ? '(root)' : joined;
}

export function describeIssue(issue: ValidationIssue, root = ''): string {
  const where = issuePath(issue.path, root);
  switch (issue.code) {
    case 'invalid_type':
      return `${where}: expected ${String(issue.expected)}`;
    case 'invalid_value':
      return `${where}: expected one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'unrecognized_keys': {
      // The names are the sender's: an event of a million fields (FC takes 32 MB) must not make an error of
      // megabytes (the one FC shows, the record, the answer), nor a 1 MB field name a message of one name.
      const keys = issue.keys ?? [];
      const named = keys.slice(0, MAX_NAMED).map((k) => (k.length > MAX_NAME ? `${k.slice(0, MAX_NAME)}…` : k)).join(', ');
      return `${where}: unknown field${keys.length > 1 ? 's' : ''} ${named}${more(keys.length)}`;
    }
    case 'too_small':
      return `${where}: must be at least ${String(issue.minimum)}${unit(issue, issue.minimum)}`;
    case 'too_big':
      return `${where}: must be at most ${String(issue.maximum)}${unit(issue, issue.maximum)}`;
    case 'invalid_format':
      return `${where}: not a valid ${issue.format ?? 'value'}`;
    default:
      return `${where}: ${issue.message && issue.message !== 'Invalid input' ? issue.message : 'invalid value'}`;
  }
}

/** Names and issues spelt out at most; the rest are counted (the input may be any size the platform takes). */
const MAX_NAMED = 10;
const MAX_NAME = 64;

function more(count: number): string {
  return count > MAX_NAMED ? ` …and ${(count - MAX_NAMED).toLocaleString('en-US')} more` : '';
}

export function describeIssues(issues: ReadonlyArray<ValidationIssue>, root = ''): string {
  return `${issues.slice(0, MAX_NAMED).map((issue) => describeIssue(issue, root)).join('; ')}${more(issues.length)}`;
}
