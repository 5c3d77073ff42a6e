/**
 * One logger for every line the function writes: flat JSON objects with stable snake_case keys, one per
 * line (FC ships each stdout line as one log entry), with the invocation's fields (fc_request_id, run_id…)
 * stamped here and nowhere else, in the manner of Powertools' logger.
 */
type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  /** Writes one record, stamped with this logger's fields; answers what was written (for SLS). */
  record<T extends object>(fields: T): LogFields & T;
  error(message: string, fields?: LogFields): void;
  /** Something refused or held that no run record will say (a webhook refused before any run). */
  warn(message: string, fields?: LogFields): void;
  /** A line FC itself defines (the custom runtime's "FC Invoke Start RequestId: …" markers), as it is. */
  raw(line: string): void;
  /** A logger that stamps these fields too. */
  with(fields: LogFields): Logger;
}

type LineWriter = (line: string) => void;

export const stdoutWriter: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * The longest text a field keeps, in UTF-8 bytes. FC ships each stdout line as one log entry, and a log
 * entry holds at most 512 KB through Logtail (1 MB through the API): a registrar's megabytes of error text
 * would make the line, the record of last resort, too long to ship whole. No person reads more than this.
 */
export const MAX_FIELD_BYTES = 64 * 1024;

/** `value` in at most `maxBytes` bytes of UTF-8, cut on a character boundary, with a note of how much was cut. */
export function cutText(value: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 bytes of UTF-8: shorter strings never need the encoding.
  if (value.length * 3 <= maxBytes) return value;
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length <= maxBytes) return value;
  const note = ` …[cut: ${bytes.length} bytes in all]`;
  let end = Math.max(0, maxBytes - Buffer.byteLength(note));
  // Back to the start of a character: a continuation byte is 10xxxxxx.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return `${bytes.subarray(0, end).toString('utf8')}${note}`;
}

/** undefined values are left out, so absent fields never show as null; a text longer than MAX_FIELD_BYTES is cut. */
function stamp<T extends object>(base: LogFields, fields: T): LogFields & T {
  // kind first: a reader scanning the log sees what a line is before anything else.
  const out: Record<string, unknown> = 'kind' in fields ? { kind: (fields as { kind: unknown }).kind } : {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) out[key] = value;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = typeof value === 'string' ? cutText(value, MAX_FIELD_BYTES) : value;
  return out as LogFields & T;
}

export function createLogger(write: LineWriter = stdoutWriter, base: LogFields = {}): Logger {
  return {
    record(fields) {
      const line = stamp(base, fields);
      write(JSON.stringify(line));
      return line;
    },
    error(message, fields = {}) {
      write(JSON.stringify(stamp(base, { level: 'ERROR', message, ...fields })));
    },
    warn(message, fields = {}) {
      write(JSON.stringify(stamp(base, { level: 'WARN', message, ...fields })));
    },
    raw(line) {
      write(line);
    },
    with(fields) {
      return createLogger(write, { ...base, ...fields });
    },
  };
}
