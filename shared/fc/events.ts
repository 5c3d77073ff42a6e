/**
 * The shapes Function Compute 3.0 hands to a built-in Node.js handler, validated at the edge: the HTTP
 * trigger event, the timer event and the context. Type guards pick the event processor, in the style
 * of Hono's aws-lambda adapter.
 */
import * as z from 'zod/mini';
import { UserError } from '../errors/index.js';
import type { Trigger } from '../run/index.js';
import { describeIssues, duplicateKey, looksUtf16, onFirstUse } from '../validation/index.js';

// FC's own JSON: a field with nothing to say may come as null (no query string, no body, no User-Agent), which
// is absent, not a malformed event answered 400 before the app saw the request. Only rawPath and the method are needed.
const httpEventSchema = onFirstUse(() =>
  z.object({
    version: z.nullish(z.string()),
    rawPath: z.string().check(z.minLength(1)),
    body: z.nullish(z.string()),
    // "true" or "false" as text too: FC's own field, whose refusal was a 400 no caller could do anything about.
    isBase64Encoded: z.nullish(z.union([z.boolean(), z.pipe(z.enum(['true', 'false']), z.transform((v) => v === 'true'))])),
    // A null value too: a query key with no value (`?verbose`), a header with no text (eventToRequest says what of them).
    headers: z.nullish(z.record(z.string(), z.nullable(z.string()))),
    queryParameters: z.nullish(z.record(z.string(), z.nullable(z.string()))),
    requestContext: z.object({
      domainName: z.nullish(z.string()),
      requestId: z.nullish(z.string()),
      http: z.object({
        method: z.string().check(z.minLength(1)),
        path: z.nullish(z.string()),
        sourceIp: z.nullish(z.string()),
      }),
    }),
  }),
);
export type FcHttpEvent = z.output<ReturnType<typeof httpEventSchema>>;

/**
 * A timer event is known by its triggerTime and triggerName (isTimerEvent). Its payload is documented as a string; one of
 * another type (the configured JSON handed over parsed, say) is still the timer's: read as a direct
 * invocation, its fields were refused as unknown run options, with trigger "invoke" and nobody told, so
 * every daily run failed in silence. optionsFromEvent says what it does with it.
 */
interface FcTimerEvent {
  readonly triggerTime: unknown;
  readonly triggerName: unknown;
  readonly payload?: unknown;
}

const contextSchema = onFirstUse(() => {
  const text = z.optional(z.string());
  return z.object({
    requestId: text,
    // The owner's account id and the region (function-compute.md §2.2): where the account runs are invoked.
    accountId: text,
    region: text,
    credentials: z.optional(z.object({ accessKeyId: text, accessKeySecret: text, securityToken: text })),
    // The timeout as a number, or as a string of digits (as the custom runtime's x-fc-function-timeout
    // header gives it): dropped as the wrong type, a 600 s function ran on the 60 s assumed.
    function: z.optional(z.object({ name: text, timeout: z.optional(z.union([z.number(), z.pipe(z.string().check(z.regex(/^\d{1,7}$/)), z.transform(Number))])) })),
    // The qualifier the invocation used and the version it actually runs ("" on LATEST).
    service: z.optional(z.object({ qualifier: text, versionId: text })),
  });
});
type FcContext = z.output<ReturnType<typeof contextSchema>>;

/** An HTTP trigger event has rawPath and requestContext; it may still be malformed inside (parseHttpEvent says). */
export function isHttpEventShape(event: unknown): event is { readonly rawPath: unknown; readonly requestContext: unknown } {
  return typeof event === 'object' && event !== null && 'rawPath' in event && 'requestContext' in event;
}

/**
 * Both names, whatever their values: FC's own event may carry null (or a number) in one, and no run option is
 * named like them (the options schema is strict), so such an event read as a direct invocation was refused
 * for its "unknown fields", as trigger "invoke": s.yaml's daily run failed with nobody told.
 */
function isTimerEvent(event: unknown): event is FcTimerEvent {
  return typeof event === 'object' && event !== null && !Array.isArray(event) && 'triggerTime' in event && 'triggerName' in event;
}

export class MalformedEventError extends UserError {
  override readonly name = 'MalformedEventError';
  constructor(message: string, options?: ErrorOptions) {
    super('malformed-event', message, options);
  }
}

export function parseHttpEvent(event: unknown): FcHttpEvent {
  const parsed = httpEventSchema().safeParse(event);
  if (!parsed.success) throw new MalformedEventError(`Malformed HTTP trigger event: ${describeIssues(parsed.error.issues, 'event')}`);
  return parsed.data;
}

/**
 * The version this invocation runs, as InvokeFunction's qualifier: the published version when FC names
 * one (an alias may point elsewhere by the time an account run starts), else the qualifier (LATEST).
 */
export function runningVersion(versionId: string | null | undefined, qualifier: string | null | undefined): string | undefined {
  return versionId?.trim() || qualifier?.trim() || undefined;
}

/**
 * The context is the platform's, not the caller's: a part of it that is null or of another type than the
 * docs show (`credentials` is `{}` on a function without a role) counts as absent, so the run goes on to
 * the environment's credentials or to a start failure it records and tells, instead of stopping here.
 * Never throws. (zod's `catch` would do the same per field, at 10 KB of bundle for its error messages.)
 */
export function parseContext(context: unknown): FcContext {
  const given = typeof context === 'object' && context !== null ? context : {};
  const first = contextSchema().safeParse(given);
  if (first.success) return first.data;
  // A copy two levels deep (the schema's depth) of the parts the schema reads; the rest (the runtime's
  // logger and its functions) is left behind, since structuredClone would refuse it.
  const kept: Record<PropertyKey, unknown> = {};
  for (const key of Object.keys(contextSchema().def.shape)) {
    const part = (given as Record<string, unknown>)[key];
    kept[key] = typeof part === 'object' && part !== null ? { ...part } : part;
  }
  for (const { path } of first.error.issues) removeAt(kept, path);
  const second = contextSchema().safeParse(kept);
  return second.success ? second.data : {};
}

function removeAt(root: Record<PropertyKey, unknown>, path: readonly PropertyKey[]): void {
  let at: unknown = root;
  for (const key of path.slice(0, -1)) at = typeof at === 'object' && at !== null ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  const last = path.at(-1);
  if (typeof at === 'object' && at !== null && last !== undefined) delete (at as Record<PropertyKey, unknown>)[last];
}

/**
 * The event arrives as a Buffer holding JSON text (or whatever bytes a direct caller sent). A leading
 * byte order mark (a file saved by a Windows editor, sent with `s invoke --event-file`) is not part of
 * the JSON: RFC 8259 lets a parser ignore it, and JSON.parse does not.
 */
export function decodeEvent(event: unknown): unknown {
  const text = (Buffer.isBuffer(event) ? event.toString('utf8') : typeof event === 'string' ? event : undefined)?.replace(/^\uFEFF/, '');
  if (text === undefined) return event ?? {};
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // The same bytes the webhook names (an event file Windows PowerShell 5.1 wrote with `>`): "not JSON" sent
    // a person who can see valid JSON in the file looking for a typo that is not there.
    if (Buffer.isBuffer(event) && looksUtf16(event)) throw new MalformedEventError('The event is UTF-16 text (or holds NUL bytes); send the JSON as UTF-8', { cause: error });
    const size = Buffer.isBuffer(event) ? `${event.length} bytes` : `${text.length} characters`;
    throw new MalformedEventError(`The event is not JSON (${size}); send run options such as {"mode":"dry-run"}`, { cause: error });
  }
  // Run options named twice: JSON.parse keeps the last, a person (or another parser) may mean the first,
  // and {"mode":"dry-run",…,"mode":"live"} orders. An HTTP trigger event is FC's own JSON, not options.
  if (!isHttpEventShape(value)) refuseRepeatedField(text, 'event');
  return value;
}

function refuseRepeatedField(text: string, what: string): void {
  const repeated = duplicateKey(text);
  if (repeated !== undefined) throw new MalformedEventError(`The ${what} names the field ${JSON.stringify(repeated.slice(0, 64))} twice; send each field once`);
}

/** A timer carries the options as a JSON string payload (possibly empty); any other event is the options. */
export function optionsFromEvent(event: unknown): { trigger: Trigger; options: unknown } {
  if (!isTimerEvent(event)) return { trigger: 'invoke', options: event };
  // Already parsed: the options as they are (the schema judges them, and a refusal is the timer's, told).
  if (event.payload !== null && typeof event.payload === 'object' && !Array.isArray(event.payload)) return { trigger: 'timer', options: event.payload };
  if (event.payload !== undefined && event.payload !== null && typeof event.payload !== 'string') {
    throw new MalformedEventError(`The timer payload is a ${Array.isArray(event.payload) ? 'list' : typeof event.payload}, not a string of run options; set it to run options such as {"mode":"dry-run"} or leave it empty`);
  }
  const payload = event.payload?.trim();
  if (!payload) return { trigger: 'timer', options: {} };
  let options: unknown;
  try {
    options = JSON.parse(payload);
  } catch (error) {
    throw new MalformedEventError(`The timer payload is not JSON (${payload.length} characters); set it to run options such as {"mode":"dry-run"} or leave it empty`, { cause: error });
  }
  refuseRepeatedField(payload, 'timer payload');
  return { trigger: 'timer', options };
}
