/**
 * The protobuf LogGroup of SLS PutLogs, encoded by hand (proto2 field numbers from the official
 * sls.proto): a few dozen lines instead of a protobuf runtime in the function bundle.
 */
export interface LogEntry {
  /** Unix seconds. */
  readonly time: number;
  readonly contents: ReadonlyArray<readonly [string, string]>;
}

interface LogGroupInput {
  readonly logs: readonly LogEntry[];
  readonly topic?: string | undefined;
  readonly source?: string | undefined;
}

const encoder = new TextEncoder();

class Writer {
  private readonly parts: Uint8Array[] = [];
  length = 0;

  bytes(b: Uint8Array): this {
    this.parts.push(b);
    this.length += b.length;
    return this;
  }

  varint(value: number): this {
    const out: number[] = [];
    let v = value;
    while (v > 0x7f) {
      out.push((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(v);
    return this.bytes(Uint8Array.from(out));
  }

  /** A length-delimited field (wire type 2). */
  field(tag: number, payload: Uint8Array): this {
    return this.varint(tag).varint(payload.length).bytes(payload);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let offset = 0;
    for (const part of this.parts) {
      out.set(part, offset);
      offset += part.length;
    }
    return out;
  }
}

// Tags: (field number << 3) | wire type.
const LOG_TIME = 0x08;
const LOG_CONTENTS = 0x12;
const CONTENT_KEY = 0x0a;
const CONTENT_VALUE = 0x12;
const GROUP_LOGS = 0x0a;
const GROUP_TOPIC = 0x1a;
const GROUP_SOURCE = 0x22;

export function encodeLog(log: LogEntry): Uint8Array {
  const w = new Writer().varint(LOG_TIME).varint(log.time);
  for (const [key, value] of log.contents) {
    // proto2 required fields: Key and Value are always written, even when empty.
    w.field(LOG_CONTENTS, new Writer().field(CONTENT_KEY, encoder.encode(key)).field(CONTENT_VALUE, encoder.encode(value)).finish());
  }
  return w.finish();
}

export function encodeLogGroup(group: LogGroupInput): Uint8Array {
  const w = new Writer();
  for (const log of group.logs) w.field(GROUP_LOGS, encodeLog(log));
  if (group.topic !== undefined) w.field(GROUP_TOPIC, encoder.encode(group.topic));
  if (group.source !== undefined) w.field(GROUP_SOURCE, encoder.encode(group.source));
  return w.finish();
}
