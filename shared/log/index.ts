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
  /** A line FC itself defines (the custom runtime's "FC Invoke Start RequestId: …" markers), as it is. */
  raw(line: string): void;
  /** A logger that stamps these fields too. */
  with(fields: LogFields): Logger;
}

type LineWriter = (line: string) => void;

export const stdoutWriter: LineWriter = (line) => {
  process.stdout.write(`${line}\n`);
};

/** undefined values are left out, so absent fields never show as null. */
function stamp<T extends object>(base: LogFields, fields: T): LogFields & T {
  // kind first: a reader scanning the log sees what a line is before anything else.
  const out: Record<string, unknown> = 'kind' in fields ? { kind: (fields as { kind: unknown }).kind } : {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined) out[key] = value;
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
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
    raw(line) {
      write(line);
    },
    with(fields) {
      return createLogger(write, { ...base, ...fields });
    },
  };
}
