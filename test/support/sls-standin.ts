/**
 * An SLS stand-in written from the vendor's published rules (the PutLogs and GetLogs pages, the common
 * headers, the error-code table, the data-encoding page; summarised in the project's shared reference),
 * not from test/emulator. It checks every request the way SLS does and answers the way the docs say SLS
 * answers:
 *
 * - routing: the project from the Host prefix `{project}.{endpoint}` (or, for a loopback endpoint that has
 *   no DNS name for the prefix, the signed `x-log-project` header), `POST /logstores/{ls}/shards/lb` and
 *   `GET /logstores/{ls}?type=log`; an unknown project or logstore is 404 ProjectNotExist / LogStoreNotExist;
 * - headers: `x-log-apiversion: 0.6.0`, `x-log-signaturemethod: hmac-sha1`, an RFC 1123 `Date` within
 *   ±15 min (400 RequestTimeExpired), `Content-Type: application/x-protobuf`, `x-log-bodyrawsize`,
 *   `Content-MD5` (upper-case hex of the bytes received), no `x-log-date`;
 * - the v1 `LOG` signature recomputed here, on its own code (HMAC-SHA1 over VERB, MD5, type, Date, the
 *   sorted x-log-/x-acs- headers and the resource with its decoded, key-sorted query); an `STS.` key needs
 *   its `x-acs-security-token` (401 Unauthorized), a wrong one is 401 SignatureNotMatch, an unknown key
 *   401 InvalidAccessKeyId;
 * - the body: `x-log-compresstype` none or `deflate` (anything else 400 InvalidCompressType), the raw size
 *   equal to `x-log-bodyrawsize`, over 10 MiB 413 PostBodyTooLarge (with `strictEnvelope`, the older 3 MB
 *   and 4,096 logs too); the LogGroup decoded field by field: valid UTF-8 everywhere (400 InvalidEncoding),
 *   keys of 1-128 bytes matching `[A-Za-z_][A-Za-z0-9_]*` and not reserved (400 InvalidKey), a value at
 *   most 1 MiB and a log at most 1 MiB, topic and source at most 128 bytes, each log's time within
 *   [now - 7 d, now + 15 min] (400 PostBodyInvalid). One bad log refuses the whole request: nothing of it
 *   is stored ("if any log entry is invalid, the entire request fails and no logs are written");
 * - success: 200, empty body, `x-log-requestid` of 24 upper-case hex; errors as JSON
 *   `{"errorCode","errorMessage"}`.
 *
 * A test scripts faults per request: any documented error, a request stored and then its connection
 * dropped (the "accepted, answer lost" case a retry duplicates), a request never answered, or a GetLogs
 * answer of its own choosing.
 */
import { LoopbackStandin } from './loopback-standin.js';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { inflateSync } from 'node:zlib';

export interface SlsKey {
  readonly secret: string;
  /** The STS token a key id starting with `STS.` must carry. */
  readonly token?: string;
}

export interface StoredLog {
  readonly project: string;
  readonly logstore: string;
  readonly topic: string | undefined;
  readonly source: string | undefined;
  readonly time: number;
  readonly contents: ReadonlyArray<readonly [string, string]>;
  /** The 1-based PutLogs request that stored it. */
  readonly request: number;
}

export interface SlsCall {
  readonly api: 'PutLogs' | 'GetLogs' | 'other';
  /** 1-based count of calls of this api so far, this one included. */
  readonly n: number;
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingMessage['headers'];
  readonly at: number;
  /** What the stand-in answered (or would have, before a script took over): an error code, or 'ok'. */
  verdict?: string;
}

/**
 * A scripted answer to one call, instead of the stand-in's own: a documented error; `store-then-drop`
 * (PutLogs only: the logs are checked and stored, then the connection is cut before any answer);
 * `hang` (never answered); or a GetLogs answer (`rows` as the JSON body, or raw text, with headers).
 */
export type SlsScripted =
  | { readonly status: number; readonly errorCode: string; readonly errorMessage: string }
  | 'store-then-drop'
  | 'hang'
  | {
      readonly getLogs: unknown;
      readonly raw?: boolean;
      /**
       * Over SLS's own `x-log-progress: Complete` and `x-log-count` (the rows of a JSON array), which every
       * GetLogs answer carries (sls.md section 8); a header given as undefined is left out.
       */
      readonly headers?: Readonly<Record<string, string | undefined>>;
      /** Answered this much later: a slow query. */
      readonly delayMs?: number;
    };

export interface SlsStandinOptions {
  readonly keys?: Readonly<Record<string, SlsKey>>;
  /** project -> its logstores. */
  readonly projects?: Readonly<Record<string, readonly string[]>>;
  /** Enforce the older 3 MB and 4,096 logs per request too (2019-2021 docs). */
  readonly strictEnvelope?: boolean;
  readonly now?: () => number;
  /** Runs after the request was checked (`call.verdict` says how it fared); undefined answers as SLS would. */
  readonly script?: (call: SlsCall, standin: SlsStandin) => SlsScripted | undefined;
}

const RESERVED_KEYS = new Set(['__time__', '__source__', '__topic__', '__partition_time__', '_extract_others_', '__extract_others__']);
const MAX_RAW_BODY = 10 * 1024 * 1024;
const MAX_VALUE = 1024 * 1024;
const MAX_LOG = 1024 * 1024;
const SKEW_MS = 15 * 60_000;

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The v1 LOG string to sign, from the request as received (written here, not imported from the product). */
export function standinStringToSign(method: string, path: string, query: Readonly<Record<string, string>>, headers: IncomingMessage['headers']): string {
  const header = (name: string) => {
    const v = headers[name];
    return Array.isArray(v) ? v.join(',') : (v ?? '');
  };
  const canonical = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .filter((n) => n.startsWith('x-log-') || n.startsWith('x-acs-'))
    .sort()
    .map((n) => `${n}:${header(n).trim()}\n`)
    .join('');
  const keys = Object.keys(query).sort();
  const resource = path + (keys.length > 0 ? `?${keys.map((k) => `${k}=${query[k]}`).join('&')}` : '');
  return `${method}\n${header('content-md5')}\n${header('content-type')}\n${header('date')}\n${canonical}${resource}`;
}

const fatal = new TextDecoder('utf-8', { fatal: true });

/** A protobuf reader that hands out raw bytes, so that UTF-8 is checked here and not repaired by a library. */
class PbReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  get done(): boolean {
    return this.pos >= this.buf.length;
  }
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) throw new Refusal(400, 'PostBodyInvalid', 'truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new Refusal(400, 'PostBodyInvalid', 'varint too long');
  }
  bytes(): Buffer {
    const len = this.varint();
    if (this.pos + len > this.buf.length) throw new Refusal(400, 'PostBodyInvalid', 'truncated field');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
  skip(wire: number): void {
    if (wire === 0) this.varint();
    else if (wire === 2) this.bytes();
    else if (wire === 5) this.pos += 4;
    else if (wire === 1) this.pos += 8;
    else throw new Refusal(400, 'PostBodyInvalid', `wire type ${wire}`);
  }
}

function utf8(bytes: Buffer, what: string): string {
  try {
    return fatal.decode(bytes);
  } catch {
    throw new Refusal(400, 'InvalidEncoding', `${what} is not valid UTF-8`);
  }
}

interface DecodedGroup {
  readonly topic: string | undefined;
  readonly source: string | undefined;
  readonly logs: Array<{ time: number; contents: Array<[string, string]> }>;
}

export function decodeLogGroup(body: Buffer, nowMs: number): DecodedGroup {
  const r = new PbReader(body);
  let topic: string | undefined;
  let source: string | undefined;
  const logs: DecodedGroup['logs'] = [];
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1 && wire === 2) logs.push(decodeLog(r.bytes(), nowMs));
    else if (field === 3 && wire === 2) topic = utf8(r.bytes(), 'Topic');
    else if (field === 4 && wire === 2) source = utf8(r.bytes(), 'Source');
    else r.skip(wire);
  }
  if (topic !== undefined && Buffer.byteLength(topic) > 128) throw new Refusal(400, 'PostBodyInvalid', 'topic longer than 128 bytes');
  if (source !== undefined && Buffer.byteLength(source) > 128) throw new Refusal(400, 'PostBodyInvalid', 'source longer than 128 bytes');
  return { topic, source, logs };
}

function decodeLog(bytes: Buffer, nowMs: number): { time: number; contents: Array<[string, string]> } {
  if (bytes.length > MAX_LOG) throw new Refusal(400, 'PostBodyInvalid', `a log of ${bytes.length} bytes is over 1 MB`);
  const r = new PbReader(bytes);
  let time: number | undefined;
  const contents: Array<[string, string]> = [];
  while (!r.done) {
    const tag = r.varint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (field === 1 && wire === 0) time = r.varint();
    else if (field === 2 && wire === 2) {
      const c = new PbReader(r.bytes());
      let key: Buffer | undefined;
      let value: Buffer | undefined;
      while (!c.done) {
        const t = c.varint();
        if (t === 0x0a) key = c.bytes();
        else if (t === 0x12) value = c.bytes();
        else c.skip(t % 8);
      }
      if (key === undefined || value === undefined) throw new Refusal(400, 'PostBodyInvalid', 'a Content without its required Key or Value');
      const k = utf8(key, 'a key');
      if (key.length < 1 || key.length > 128 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || RESERVED_KEYS.has(k)) throw new Refusal(400, 'InvalidKey', `invalid key ${JSON.stringify(k.slice(0, 40))}`);
      if (value.length > MAX_VALUE) throw new Refusal(400, 'PostBodyInvalid', `the value of ${k} is ${value.length} bytes, over 1 MB`);
      contents.push([k, utf8(value, `the value of ${k}`)]);
    } else r.skip(wire);
  }
  if (time === undefined) throw new Refusal(400, 'PostBodyInvalid', 'a log without its required Time');
  if (time * 1000 < nowMs - 7 * 86_400_000 || time * 1000 > nowMs + SKEW_MS) throw new Refusal(400, 'PostBodyInvalid', `log time ${time} outside [now - 7 d, now + 15 min]`);
  if (contents.length === 0) throw new Refusal(400, 'PostBodyInvalid', 'a log without contents');
  return { time, contents };
}

export class SlsStandin extends LoopbackStandin {
  readonly calls: SlsCall[] = [];
  readonly logs: StoredLog[] = [];
  /** Contents keys repeated within one log (SLS: undefined behaviour), as found. */
  readonly duplicateKeys: string[] = [];
  private readonly counts: Record<SlsCall['api'], number> = { PutLogs: 0, GetLogs: 0, other: 0 };
  private readonly sockets = new Set<Socket>();

  constructor(private readonly options: SlsStandinOptions = {}) {
    super();
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  // Every socket, a hung request's too, destroyed at once.
  override close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Forgets every call and stored log, and starts the call counts again at 1. */
  reset(): void {
    this.calls.length = 0;
    this.logs.length = 0;
    this.duplicateKeys.length = 0;
    this.counts.PutLogs = this.counts.GetLogs = this.counts.other = 0;
  }

  callsOf(api: SlsCall['api']): SlsCall[] {
    return this.calls.filter((c) => c.api === api);
  }

  /** The stored logs as objects (contents only). */
  records(): Array<Record<string, string>> {
    return this.logs.map((l) => Object.fromEntries(l.contents));
  }

  private get keys(): Readonly<Record<string, SlsKey>> {
    return this.options.keys ?? {};
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  protected handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://standin');
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) query[k] = v;
      const method = req.method ?? 'GET';
      const api: SlsCall['api'] = method === 'POST' && /^\/logstores\/[^/]+\/shards\/lb$/.test(url.pathname) ? 'PutLogs' : method === 'GET' && /^\/logstores\/[^/]+$/.test(url.pathname) && query.type === 'log' ? 'GetLogs' : 'other';
      const n = ++this.counts[api];
      const call: SlsCall = { api, n, method, path: url.pathname, query, headers: req.headers, at: Date.now() };
      this.calls.push(call);
      const body = Buffer.concat(chunks);
      let stored: StoredLog[] = [];
      let rows: unknown[] = [];
      try {
        const target = this.check(req, method, url.pathname, query, body);
        if (api === 'PutLogs') stored = this.putLogs(req, body, target, n);
        else if (api === 'GetLogs') rows = this.getLogs(query, target);
        else throw new Refusal(405, 'InvalidMethod', `${method} ${url.pathname} is not served here`);
        call.verdict = 'ok';
      } catch (error) {
        if (!(error instanceof Refusal)) throw error;
        call.verdict = error.code;
        const scripted = this.options.script?.(call, this);
        if (scripted !== undefined) return this.answerScripted(res, scripted, call, []);
        return this.error(res, error.status, error.code, error.message);
      }
      const scripted = this.options.script?.(call, this);
      if (scripted !== undefined) return this.answerScripted(res, scripted, call, stored);
      this.logs.push(...stored);
      if (api === 'GetLogs') return this.json(res, 200, rows, { 'x-log-progress': 'Complete', 'x-log-count': String(rows.length) });
      res.writeHead(200, { 'x-log-requestid': requestId(), 'content-length': '0' }).end();
    });
  }

  private answerScripted(res: ServerResponse, scripted: SlsScripted, call: SlsCall, stored: StoredLog[]): void {
    if (scripted === 'hang') return;
    if (scripted === 'store-then-drop') {
      if (call.api === 'PutLogs') this.logs.push(...stored);
      res.socket?.destroy();
      return;
    }
    if ('getLogs' in scripted) {
      const text = scripted.raw ? String(scripted.getLogs) : JSON.stringify(scripted.getLogs);
      const own: Record<string, string | undefined> = { 'x-log-progress': 'Complete', ...(!scripted.raw && Array.isArray(scripted.getLogs) ? { 'x-log-count': String(scripted.getLogs.length) } : {}) };
      const headers = Object.fromEntries(Object.entries({ 'content-type': 'application/json', 'x-log-requestid': requestId(), ...own, ...scripted.headers }).filter((e): e is [string, string] => e[1] !== undefined));
      const answer = () => res.writeHead(200, headers).end(text);
      if (scripted.delayMs) setTimeout(() => !res.destroyed && answer(), scripted.delayMs);
      else answer();
      return;
    }
    this.error(res, scripted.status, scripted.errorCode, scripted.errorMessage);
  }

  /** Routing, required headers, Date, MD5 and the signature: common to PutLogs and GetLogs. */
  private check(req: IncomingMessage, method: string, path: string, query: Record<string, string>, body: Buffer): { project: string; logstore: string } {
    const h = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const auth = h('authorization');
    if (!auth) throw new Refusal(400, 'MissingParameter', 'missing authorization');
    if (h('x-log-signaturemethod') === undefined) throw new Refusal(400, 'MissingParameter', 'missing x-log-signaturemethod');
    if (h('x-log-signaturemethod') !== 'hmac-sha1') throw new Refusal(400, 'ParameterInvalid', 'x-log-signaturemethod');
    if (h('x-log-apiversion') === undefined) throw new Refusal(400, 'MissingAPIVersion', 'missing x-log-apiversion');
    if (h('x-log-apiversion') !== '0.6.0') throw new Refusal(400, 'InvalidAPIVersion', 'x-log-apiversion');
    if (h('x-log-date') !== undefined) throw new Refusal(400, 'ParameterInvalid', 'x-log-date is not for a v1 request');
    const date = h('date');
    if (!date) throw new Refusal(400, 'MissingDate', 'missing Date');
    const dateMs = Date.parse(date);
    if (!/GMT$/.test(date) || !Number.isFinite(dateMs)) throw new Refusal(400, 'InvalidRequestTime', 'Date is not RFC 1123');
    if (Math.abs(dateMs - this.now()) > SKEW_MS) throw new Refusal(400, 'RequestTimeExpired', 'Request time is more than 15 minutes from the server time');
    const m = /^LOG ([^:]+):(.+)$/.exec(auth);
    if (!m) throw new Refusal(400, 'ParameterInvalid', 'authorization');
    const [, keyId, signature] = m as unknown as [string, string, string];
    const key = this.keys[keyId];
    if (!key) throw new Refusal(401, 'InvalidAccessKeyId', 'The AccessKeyId is invalid or not exist');
    if (keyId.startsWith('STS.') && h('x-acs-security-token') !== key.token) throw new Refusal(401, 'Unauthorized', 'The security token you provided is invalid');
    if (key.token !== undefined && h('x-acs-security-token') !== key.token) throw new Refusal(401, 'Unauthorized', 'The security token you provided is invalid');
    if (body.length > 0 || method === 'POST') {
      const md5 = h('content-md5');
      if (md5 !== createHash('md5').update(body).digest('hex').toUpperCase()) throw new Refusal(400, 'InvalidContentMD5', 'Content-MD5 does not match the body');
    }
    const expected = createHmac('sha1', key.secret).update(standinStringToSign(method, path, query, req.headers), 'utf8').digest('base64');
    if (expected !== signature) throw new Refusal(401, 'SignatureNotMatch', `signature ${signature} not match`);
    const host = (h('host') ?? '').replace(/:\d+$/, '');
    const project = /^\d+\.\d+\.\d+\.\d+$|^localhost$/.test(host) ? h('x-log-project') : host.split('.')[0];
    const projects = this.options.projects ?? { audit: ['results'] };
    if (!project || !(project in projects)) throw new Refusal(404, 'ProjectNotExist', `The Project does not exist : ${project ?? ''}`);
    const logstore = path.split('/')[2]!;
    if (!projects[project]!.includes(logstore)) throw new Refusal(404, 'LogStoreNotExist', `logstore ${logstore} does not exist`);
    return { project, logstore };
  }

  private putLogs(req: IncomingMessage, body: Buffer, target: { project: string; logstore: string }, n: number): StoredLog[] {
    const type = req.headers['content-type'];
    if (type === undefined) throw new Refusal(400, 'MissingContentType', 'missing Content-Type');
    if (type !== 'application/x-protobuf') throw new Refusal(400, 'InvalidContentType', `Content-Type ${type}`);
    if (req.headers['content-length'] === undefined) throw new Refusal(411, 'MissingContentLength', 'missing Content-Length');
    const rawSizeHeader = req.headers['x-log-bodyrawsize'];
    if (rawSizeHeader === undefined) throw new Refusal(400, 'MissingBodyRawSize', 'missing x-log-bodyrawsize');
    const rawSize = Number(rawSizeHeader);
    if (!/^\d+$/.test(String(rawSizeHeader))) throw new Refusal(400, 'InvalidBodyRawSize', 'x-log-bodyrawsize');
    if (rawSize > MAX_RAW_BODY) throw new Refusal(413, 'PostBodyTooLarge', `body size ${rawSize} must little than 10485760`);
    const compress = req.headers['x-log-compresstype'];
    let raw: Buffer;
    if (compress === undefined) raw = body;
    else if (compress === 'deflate') {
      try {
        raw = inflateSync(body);
      } catch {
        throw new Refusal(400, 'PostBodyUncompressError', 'deflate');
      }
    } else throw new Refusal(400, 'InvalidCompressType', String(compress));
    if (raw.length !== rawSize) throw new Refusal(400, 'InvalidBodyRawSize', `x-log-bodyrawsize ${rawSize} but ${raw.length} bytes`);
    const group = decodeLogGroup(raw, this.now());
    if (this.options.strictEnvelope && (raw.length > 3 * 1024 * 1024 || group.logs.length > 4096)) throw new Refusal(400, 'PostBodyTooLarge', 'over 3 MB or 4096 logs');
    for (const log of group.logs) {
      const seen = new Set<string>();
      for (const [k] of log.contents) {
        if (seen.has(k)) this.duplicateKeys.push(k);
        seen.add(k);
      }
    }
    return group.logs.map((l) => ({ ...target, topic: group.topic, source: group.source, time: l.time, contents: l.contents, request: n }));
  }

  /** GetLogs v1: `k: v and k: v` field queries over the stored logs, [from, to), newest first with reverse=true. */
  private getLogs(query: Record<string, string>, target: { project: string; logstore: string }): unknown[] {
    const from = Number(query.from);
    const to = Number(query.to);
    if (!Number.isInteger(from) || !Number.isInteger(to) || from >= to) throw new Refusal(400, 'InvalidTimeRange', 'from must be less than to');
    const line = query.line === undefined ? 100 : Number(query.line);
    if (!Number.isInteger(line) || line < 0 || line > 100) throw new Refusal(400, 'InvalidLine', 'line must be 0..100');
    if (query.reverse !== undefined && query.reverse !== 'true' && query.reverse !== 'false') throw new Refusal(400, 'InvalidReverse', 'reverse');
    // `offset`: the first row of the page (default 0), as GetLogs v1 pages a result.
    const offset = query.offset === undefined ? 0 : Number(query.offset);
    if (!Number.isInteger(offset) || offset < 0) throw new Refusal(400, 'InvalidOffset', 'offset must be a whole number from 0');
    const terms = (query.query ?? '').split(/\s+and\s+/i).filter(Boolean).map((t) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*):\s*(\S+)$/.exec(t.trim());
      if (!m) throw new Refusal(400, 'InvalidQueryString', `cannot parse ${t}`);
      return [m[1]!, m[2]!] as const;
    });
    const matching = this.logs
      .map((l, i) => ({ l, i }))
      .filter(({ l }) => l.project === target.project && l.logstore === target.logstore && l.time >= from && l.time < to)
      .filter(({ l }) => terms.every(([k, v]) => l.contents.some(([ck, cv]) => ck === k && cv === v)));
    matching.sort((a, b) => a.l.time - b.l.time || a.i - b.i);
    if (query.reverse === 'true') matching.reverse();
    return matching.slice(offset, offset + line).map(({ l }) => ({ __time__: String(l.time), __source__: l.source ?? '', __topic__: l.topic ?? '', ...Object.fromEntries(l.contents) }));
  }

  private json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'x-log-requestid': requestId(), ...headers }).end(JSON.stringify(body));
  }

  private error(res: ServerResponse, status: number, errorCode: string, errorMessage: string): void {
    this.json(res, status, { errorCode, errorMessage });
  }
}

function requestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

/** The stand-in's key table for one set of credentials (the key id, its secret and its STS token). */
export function keysFor(credentials: { readonly accessKeyId: string; readonly accessKeySecret: string; readonly securityToken?: string | undefined }): Record<string, SlsKey> {
  return { [credentials.accessKeyId]: { secret: credentials.accessKeySecret, ...(credentials.securityToken ? { token: credentials.securityToken } : {}) } };
}

export async function startSlsStandin(options: SlsStandinOptions = {}): Promise<SlsStandin> {
  return new SlsStandin(options).start();
}

/** The environment of a live run of every domain against a registrar and an SLS, both at their URLs. */
export function liveRunWithSls(registrarUrl: string, slsUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: registrarUrl, SLS_ENDPOINT: slsUrl, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', ...extra };
}
