/**
 * SLS PutLogs and a simple GetLogs, as the emulator plays them. The LOG v1 signature is recomputed
 * here with node:crypto, independently of the project's SLS client, and the body is decoded with
 * protobufjs and the official sls.proto shipped in @alicloud/log.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { isIP } from 'node:net';
import { inflateSync } from 'node:zlib';
import protobuf from 'protobufjs';
import type { FaultPlan } from './faults.js';

const require = createRequire(import.meta.url);
const root = protobuf.loadSync(require.resolve('@alicloud/log/lib/sls.proto'));
const LogGroup = root.lookupType('sls.LogGroup');

export interface ReceivedLog {
  readonly project: string;
  readonly logstore: string;
  readonly topic: string;
  readonly source: string;
  readonly time: number;
  readonly contents: Record<string, string>;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;
const RESERVED_KEYS = new Set(['__time__', '__source__', '__topic__', '__partition_time__', '_extract_others_', '__extract_others__']);
const MAX_RAW = 10 * 1024 * 1024;
const WINDOW_MS = 15 * 60_000;

function fail(res: ServerResponse, status: number, errorCode: string, errorMessage: string): void {
  const text = JSON.stringify({ errorCode, errorMessage });
  res.writeHead(status, { 'content-type': 'application/json', 'x-log-requestid': requestId(), 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function requestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `{project}.{endpoint}` in Host; on a loopback address (no DNS for a prefix) the x-log-project header. */
function projectOf(req: IncomingMessage): string | undefined {
  const host = (header(req, 'host') ?? '').replace(/:\d+$/, '');
  if (host && isIP(host) === 0 && host !== 'localhost') return host.split('.')[0];
  return header(req, 'x-log-project');
}

export class SlsService {
  readonly logs: ReceivedLog[] = [];

  constructor(
    private readonly secrets: ReadonlyMap<string, string>,
    private readonly now: () => number,
    private readonly faults: FaultPlan,
  ) {}

  handle(req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): void {
    const project = projectOf(req);
    if (!project) return fail(res, 400, 'InvalidHost', 'The host does not name a project.');
    const auth = this.authenticate(req, url, body);
    if (auth) return fail(res, auth.status, auth.code, auth.message);
    if (this.faults.take('PutLogs', ['sls-down'])) return fail(res, 503, 'ServerBusy', 'The server is busy, please try again later.');

    const put = /^\/logstores\/([a-z0-9_-]+)(?:\/shards\/(?:lb|route))?$/.exec(url.pathname);
    if (req.method === 'POST' && put) return this.putLogs(req, project, put[1]!, body, res);
    const get = /^\/logstores\/([a-z0-9_-]+)$/.exec(url.pathname);
    if (req.method === 'GET' && get && url.searchParams.get('type') === 'log') return this.getLogs(project, get[1]!, url, res);
    return fail(res, 405, 'InvalidMethod', `${req.method} ${url.pathname} is not supported.`);
  }

  private authenticate(req: IncomingMessage, url: URL, body: Buffer): { status: number; code: string; message: string } | undefined {
    const match = /^LOG ([^:]+):(.+)$/.exec(header(req, 'authorization') ?? '');
    if (!match) return { status: 400, code: 'MissingParameter', message: 'The Authorization header is missing or malformed.' };
    if (header(req, 'x-log-apiversion') !== '0.6.0') return { status: 400, code: 'InvalidAPIVersion', message: 'x-log-apiversion must be 0.6.0.' };
    if (header(req, 'x-log-signaturemethod') !== 'hmac-sha1') return { status: 400, code: 'ParameterInvalid', message: 'x-log-signaturemethod must be hmac-sha1.' };
    const date = header(req, 'date');
    const parsedDate = date ? Date.parse(date) : NaN;
    if (Number.isNaN(parsedDate)) return { status: 400, code: 'InvalidRequestTime', message: 'The Date header is missing or not RFC 1123.' };
    if (Math.abs(this.now() - parsedDate) > WINDOW_MS) return { status: 400, code: 'RequestTimeExpired', message: 'The request time is more than 15 minutes from the server time.' };
    const md5 = header(req, 'content-md5');
    if (body.length > 0 && md5 !== createHash('md5').update(body).digest('hex').toUpperCase()) {
      return { status: 400, code: 'InvalidContentMD5', message: 'Content-MD5 does not match the body (uppercase hex MD5 expected).' };
    }
    const [, accessKeyId, signature] = match as unknown as [string, string, string];
    const secret = this.secrets.get(accessKeyId);
    if (secret === undefined) return { status: 401, code: 'Unauthorized', message: 'The AccessKeyId is not found.' };
    if (accessKeyId.startsWith('STS.') && !header(req, 'x-acs-security-token')) {
      return { status: 401, code: 'Unauthorized', message: 'An STS key needs x-acs-security-token.' };
    }
    const canonicalHeaders = Object.keys(req.headers)
      .filter((name) => name.startsWith('x-log-') || name.startsWith('x-acs-'))
      .sort()
      .map((name) => `${name}:${(header(req, name) ?? '').trim()}\n`)
      .join('');
    const params = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const resource = url.pathname + (params.length ? `?${params.map(([k, v]) => `${k}=${v}`).join('&')}` : '');
    const toSign = `${req.method}\n${md5 ?? ''}\n${header(req, 'content-type') ?? ''}\n${date}\n${canonicalHeaders}${resource}`;
    const expected = Buffer.from(createHmac('sha1', secret).update(toSign, 'utf8').digest('base64'));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      return { status: 401, code: 'SignatureNotMatch', message: 'Signature not match.' };
    }
    return undefined;
  }

  private putLogs(req: IncomingMessage, project: string, logstore: string, body: Buffer, res: ServerResponse): void {
    if (header(req, 'content-type') !== 'application/x-protobuf') return fail(res, 400, 'InvalidContentType', 'Content-Type must be application/x-protobuf.');
    if (header(req, 'x-log-bodyrawsize') === undefined) return fail(res, 400, 'MissingBodyRawSize', 'x-log-bodyrawsize is required.');
    const rawSize = Number(header(req, 'x-log-bodyrawsize'));
    if (!Number.isInteger(rawSize) || rawSize < 0) return fail(res, 400, 'InvalidBodyRawSize', 'x-log-bodyrawsize is not a size.');
    if (rawSize > MAX_RAW) return fail(res, 413, 'PostBodyTooLarge', 'The body is larger than 10485760 bytes.');
    let raw: Buffer;
    const compression = header(req, 'x-log-compresstype');
    try {
      if (compression === undefined) raw = body;
      else if (compression === 'deflate') raw = inflateSync(body);
      else return fail(res, 400, 'InvalidCompressType', `Compression ${compression} is not supported here.`);
    } catch {
      return fail(res, 400, 'PostBodyUncompressError', 'The body could not be decompressed.');
    }
    if (raw.length !== rawSize) return fail(res, 400, 'InvalidBodyRawSize', 'x-log-bodyrawsize does not match the body.');
    let group: { Logs?: Array<{ Time: number; Contents?: Array<{ Key: string; Value: string }> }>; Topic?: string; Source?: string };
    try {
      group = LogGroup.toObject(LogGroup.decode(raw), { defaults: false }) as typeof group;
    } catch {
      return fail(res, 400, 'PostBodyInvalid', 'The body is not a LogGroup.');
    }
    const nowSeconds = this.now() / 1000;
    const received: ReceivedLog[] = [];
    for (const log of group.Logs ?? []) {
      if (log.Time < nowSeconds - 7 * 86_400 || log.Time > nowSeconds + 900) return fail(res, 400, 'PostBodyInvalid', 'A log time is outside the accepted window.');
      const contents: Record<string, string> = {};
      for (const { Key, Value } of log.Contents ?? []) {
        if (!KEY.test(Key) || RESERVED_KEYS.has(Key)) return fail(res, 400, 'InvalidKey', `Invalid key ${JSON.stringify(Key)}.`);
        contents[Key] = Value;
      }
      if (Object.keys(contents).length === 0) return fail(res, 400, 'PostBodyInvalid', 'A log has no content.');
      received.push({ project, logstore, topic: group.Topic ?? '', source: group.Source ?? '', time: log.Time, contents });
    }
    this.logs.push(...received);
    res.writeHead(200, { 'x-log-requestid': requestId(), 'content-length': 0 });
    res.end();
  }

  /** GetLogs v1 with a small query language: "*" or "key: value [and key: value]". */
  private getLogs(project: string, logstore: string, url: URL, res: ServerResponse): void {
    const from = Number(url.searchParams.get('from'));
    const to = Number(url.searchParams.get('to'));
    if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return fail(res, 400, 'InvalidTimeRange', 'from must be before to.');
    const terms = (url.searchParams.get('query') ?? '*')
      .split(/\s+and\s+/i)
      .map((term) => term.trim())
      .filter((term) => term && term !== '*')
      .map((term) => term.split(':').map((s) => s.trim()) as [string, string]);
    const line = Math.min(100, Number(url.searchParams.get('line') ?? 100));
    const offset = Number(url.searchParams.get('offset') ?? 0);
    const matching = this.logs
      .filter((log) => log.project === project && log.logstore === logstore && log.time >= from && log.time < to)
      .filter((log) => terms.every(([key, value]) => log.contents[key] === value));
    // reverse=true: newest first, as SLS answers it.
    if (url.searchParams.get('reverse') === 'true') matching.reverse();
    const rows = matching
      .slice(offset, offset + line)
      .map((log) => ({ __time__: String(log.time), __source__: log.source, __topic__: log.topic, ...log.contents }));
    const text = JSON.stringify(rows);
    res.writeHead(200, { 'content-type': 'application/json', 'x-log-requestid': requestId(), 'x-log-progress': 'Complete', 'x-log-count': String(rows.length) });
    res.end(text);
  }
}
