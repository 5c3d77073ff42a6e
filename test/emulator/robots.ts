/**
 * Chat robots for the emulator: DingTalk, Feishu, WeCom, Slack and a generic signed webhook, at
 * /__robots/<name>[/<anything, e.g. a hook id>]. Each checks the signature as its vendor documents it
 * (written here from the vendors' descriptions, not with the notifier's signer), enforces the vendor's
 * size limit, and answers in the vendor's own shapes: DingTalk, Feishu and WeCom answer errors with
 * HTTP 200 and a code. `POST /__robots/<name>/mode` with `ok|rate-limit|bad-sign|5xx|down` (optionally
 * `*N`: for the next N messages only) makes it answer a rate limit, a signature error, a 503, or drop
 * the connection. Codes not confirmed by a primary source are marked UNVERIFIED.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

export const ROBOT_NAMES = ['dingtalk', 'feishu', 'wecom', 'slack', 'webhook'] as const;
export type RobotName = (typeof ROBOT_NAMES)[number];
export const ROBOT_MODES = ['ok', 'rate-limit', 'bad-sign', '5xx', 'down'] as const;
export type RobotMode = (typeof ROBOT_MODES)[number];

/** The signing secrets the robots were configured with; a robot without one accepts unsigned messages. */
export interface RobotSecrets {
  readonly dingtalk?: string;
  readonly feishu?: string;
  readonly webhook?: string;
}

export interface ReceivedMessage {
  readonly at: number;
  readonly path: string;
  readonly bytes: number;
  /** The request body parsed as JSON (or the raw text when it is not JSON). */
  readonly body: unknown;
  readonly status: number;
  readonly answer: unknown;
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const HOUR_MS = 3_600_000;

function hmacBase64(key: string, message: string): string {
  return createHmac('sha256', key).update(message, 'utf8').digest('base64');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function field(value: unknown, ...path: string[]): unknown {
  let at = value;
  for (const key of path) at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined;
  return at;
}

export class RobotService {
  private readonly modes = new Map<RobotName, { mode: RobotMode; remaining: number | undefined }>();
  private readonly received = new Map<RobotName, ReceivedMessage[]>(ROBOT_NAMES.map((n) => [n, []]));

  constructor(
    private readonly secrets: RobotSecrets = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** For `emulator.routes`: answers true when the path is a robot's. */
  readonly handle = (req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): boolean => {
    const [root, name, ...rest] = url.pathname.split('/').filter((p) => p !== '');
    if (root !== '__robots' || !ROBOT_NAMES.includes(name as RobotName)) return false;
    const robot = name as RobotName;
    if (rest.length === 1 && rest[0] === 'mode' && req.method === 'POST') {
      const answer = this.setModeFromText(robot, body.toString('utf8').trim());
      reply(res, answer);
      return true;
    }
    const mode = this.takeMode(robot);
    if (mode === 'down') {
      this.record(robot, url, body, { status: 0, body: 'connection dropped' });
      res.socket?.destroy();
      return true;
    }
    const answer = mode === '5xx' ? { status: 503, body: '<html><body>503 Service Temporarily Unavailable</body></html>', contentType: 'text/html' } : this.answer(robot, mode, req, url, body);
    this.record(robot, url, body, answer);
    reply(res, answer);
    return true;
  };

  setMode(robot: RobotName, mode: RobotMode, count?: number): void {
    this.modes.set(robot, { mode, remaining: count });
  }

  state(): Record<RobotName, { mode: RobotMode; received: readonly ReceivedMessage[] }> {
    const out = {} as Record<RobotName, { mode: RobotMode; received: readonly ReceivedMessage[] }>;
    for (const name of ROBOT_NAMES) out[name] = { mode: this.modes.get(name)?.mode ?? 'ok', received: this.received.get(name) ?? [] };
    return out;
  }

  private setModeFromText(robot: RobotName, text: string): Answer {
    const match = /^([a-z0-9-]+)(?:\*(\d{1,4}))?$/.exec(text);
    const mode = match?.[1] as RobotMode | undefined;
    if (!mode || !ROBOT_MODES.includes(mode)) return { status: 400, body: { error: `mode must be one of ${ROBOT_MODES.join(', ')}, optionally *N` } };
    this.setMode(robot, mode, match?.[2] === undefined ? undefined : Number(match[2]));
    return { status: 200, body: { robot, mode, remaining: this.modes.get(robot)?.remaining ?? null } };
  }

  private takeMode(robot: RobotName): RobotMode {
    const current = this.modes.get(robot);
    if (!current) return 'ok';
    if (current.remaining !== undefined) {
      if (current.remaining <= 0) {
        this.modes.delete(robot);
        return 'ok';
      }
      current.remaining--;
    }
    return current.mode;
  }

  private record(robot: RobotName, url: URL, body: Buffer, answer: Answer): void {
    this.received.get(robot)!.push({ at: this.now(), path: url.pathname, bytes: body.length, body: parseJson(body) ?? body.toString('utf8'), status: answer.status, answer: answer.body });
  }

  private answer(robot: RobotName, mode: RobotMode, req: IncomingMessage, url: URL, body: Buffer): Answer {
    switch (robot) {
      case 'dingtalk':
        return this.dingtalk(mode, req, url, body);
      case 'feishu':
        return this.feishu(mode, body);
      case 'wecom':
        return this.wecom(mode, url, body);
      case 'slack':
        return this.slack(mode, body);
      case 'webhook':
        return this.webhook(mode, req, body);
    }
  }

  /**
   * DingTalk: always HTTP 200; errcode 0 is success. With 加签 the query carries timestamp (ms, within
   * an hour) and sign = urlEncode(base64(HmacSHA256(key=secret, timestamp+"\n"+secret))).
   */
  private dingtalk(mode: RobotMode, req: IncomingMessage, url: URL, body: Buffer): Answer {
    const error = (errcode: number, errmsg: string): Answer => ({ status: 200, body: { errcode, errmsg } });
    if (req.method !== 'POST') return error(43002, '需要POST请求');
    if (!String(req.headers['content-type'] ?? '').includes('application/json')) return error(43004, '无效的HTTP HEADER Content-Type');
    if (!url.searchParams.get('access_token')) return error(40035, '缺少参数 access_token');
    if (mode === 'rate-limit') return error(130101, 'send too fast, exceed 20 times per minute');
    if (mode === 'bad-sign') return error(310000, 'sign not match');
    const secret = this.secrets.dingtalk;
    if (secret) {
      const timestamp = url.searchParams.get('timestamp') ?? '';
      // URLSearchParams has already URL-decoded the sign, so it compares with the plain base64.
      const sign = url.searchParams.get('sign') ?? '';
      if (!/^\d{13}$/.test(timestamp) || Math.abs(this.now() - Number(timestamp)) > HOUR_MS) return error(310000, 'invalid timestamp');
      if (!sameText(sign, hmacBase64(secret, `${timestamp}\n${secret}`))) return error(310000, 'sign not match');
    }
    const json = parseJson(body);
    const msgtype = field(json, 'msgtype');
    const content = msgtype === 'markdown' ? field(json, 'markdown', 'text') : msgtype === 'text' ? field(json, 'text', 'content') : undefined;
    if (msgtype !== 'markdown' && msgtype !== 'text') return error(400105, '不支持的消息类型');
    if (typeof content !== 'string' || (msgtype === 'markdown' && typeof field(json, 'markdown', 'title') !== 'string')) return error(300001, 'param error'); // UNVERIFIED code
    if (Buffer.byteLength(content) > 20_000) return error(460101, 'message too long, exceed 20000 bytes'); // UNVERIFIED code, message from a code hit
    return error(0, 'ok');
  }

  /**
   * Feishu: with 签名校验 the body carries timestamp (seconds, within an hour) and
   * sign = base64(HmacSHA256(key = timestamp+"\n"+secret, message = empty)); the body is at most 20 KB.
   */
  private feishu(mode: RobotMode, body: Buffer): Answer {
    const error = (code: number, msg: string): Answer => ({ status: 200, body: { code, data: {}, msg } });
    const signError = error(19021, 'sign match fail or timestamp is not within one hour from current time');
    if (mode === 'rate-limit') return error(11232, 'frequency limited');
    if (mode === 'bad-sign') return signError;
    if (body.length > 20 * 1024) return error(9499, 'request body exceeds 20 KB'); // UNVERIFIED code
    const json = parseJson(body);
    if (json === undefined) return error(9499, 'Bad Request'); // UNVERIFIED code
    const secret = this.secrets.feishu;
    if (secret) {
      const timestamp = String(field(json, 'timestamp') ?? '');
      const sign = field(json, 'sign');
      if (!/^\d{10}$/.test(timestamp) || Math.abs(this.now() / 1000 - Number(timestamp)) > HOUR_MS / 1000) return signError;
      const expected = createHmac('sha256', `${timestamp}\n${secret}`).digest('base64');
      if (typeof sign !== 'string' || !sameText(sign, expected)) return signError;
    }
    const type = field(json, 'msg_type');
    if (type === 'text' ? typeof field(json, 'content', 'text') !== 'string' : type !== 'post' && type !== 'interactive') return error(19002, 'params error, msg_type or content is invalid'); // UNVERIFIED code
    return { status: 200, body: { StatusCode: 0, StatusMessage: 'success', code: 0, data: {}, msg: 'success' } };
  }

  /** WeCom: no signing, the key is the credential; markdown at most 4,096 bytes, text 2,048. */
  private wecom(mode: RobotMode, url: URL, body: Buffer): Answer {
    const error = (errcode: number, errmsg: string): Answer => ({ status: 200, body: { errcode, errmsg } });
    if (!url.searchParams.get('key') || mode === 'bad-sign') return error(93000, 'invalid webhook url'); // UNVERIFIED code
    if (mode === 'rate-limit') return error(45009, 'api freq out of limit'); // UNVERIFIED code
    const json = parseJson(body);
    const msgtype = field(json, 'msgtype');
    const content = msgtype === 'markdown' ? field(json, 'markdown', 'content') : msgtype === 'text' ? field(json, 'text', 'content') : undefined;
    if (typeof content !== 'string') return error(40008, 'invalid message type'); // UNVERIFIED code
    const limit = msgtype === 'markdown' ? 4_096 : 2_048;
    if (Buffer.byteLength(content) > limit) return error(40058, `${String(msgtype)}.content exceed max length ${limit}`); // UNVERIFIED code
    return error(0, 'ok');
  }

  /** Slack: the URL is the credential; HTTP 200 `ok`, errors as plain strings with a status. */
  private slack(mode: RobotMode, body: Buffer): Answer {
    const text = (status: number, words: string, headers?: Record<string, string>): Answer => ({ status, body: words, contentType: 'text/html', headers });
    if (mode === 'rate-limit') return text(429, 'rate_limited', { 'retry-after': '1' });
    if (mode === 'bad-sign') return text(404, 'no_service');
    const json = parseJson(body);
    const message = field(json, 'text');
    if (json === undefined || (message !== undefined && typeof message !== 'string')) return text(400, 'invalid_payload');
    if (typeof message !== 'string' || message.trim() === '') return text(400, 'no_text');
    if (message.length > 40_000) return text(400, 'msg_too_long'); // UNVERIFIED (Slack truncates past 40,000 characters)
    return text(200, 'ok');
  }

  /**
   * The generic webhook, verified the way domain-redeemer verifies its own: x-redeem-timestamp (unix
   * seconds, ±300 s) and x-redeem-signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>.
   */
  private webhook(mode: RobotMode, req: IncomingMessage, body: Buffer): Answer {
    const error = (status: number, code: string, message: string): Answer => ({ status, body: { error: { code, message } } });
    if (mode === 'rate-limit') return error(429, 'rate-limited', 'too many requests');
    if (mode === 'bad-sign') return error(401, 'bad-signature', 'x-redeem-signature does not match');
    if (body.length > 64 * 1024) return error(413, 'too-large', 'the body is above 64 KiB');
    const secret = this.secrets.webhook;
    if (secret) {
      const timestamp = String(req.headers['x-redeem-timestamp'] ?? '');
      const signature = String(req.headers['x-redeem-signature'] ?? '');
      if (!/^\d{10}$/.test(timestamp) || Math.abs(this.now() / 1000 - Number(timestamp)) > 300) return error(401, 'bad-signature', 'x-redeem-timestamp is missing or stale');
      const expected = `sha256=${createHmac('sha256', secret).update(Buffer.concat([Buffer.from(`${timestamp}.`), body])).digest('hex')}`;
      if (!sameText(signature, expected)) return error(401, 'bad-signature', 'x-redeem-signature does not match');
    }
    const json = parseJson(body);
    if (typeof field(json, 'summary') !== 'string' || !['ordered', 'failed', 'at_risk', 'renew'].every((k) => Array.isArray(field(json, k))) || typeof field(json, 'run') !== 'object') {
      return error(400, 'bad-request', 'expected {summary, ordered, failed, at_risk, renew, run}');
    }
    return { status: 200, body: { ok: true } };
  }
}

function reply(res: ServerResponse, answer: Answer): void {
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': answer.contentType ?? 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text), ...answer.headers });
  res.end(text);
}
