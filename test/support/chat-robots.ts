/**
 * Stand-ins for the chat robots, written from the vendors' published rules (test/fixtures/chat-robot-rules.json,
 * from the project's vendor notes), not from test/emulator: each checks what its vendor checks (signature
 * with its timestamp window, size in UTF-8 bytes, keywords, per-minute caps) and answers as its vendor
 * answers (DingTalk, Feishu and WeCom with HTTP 200 and an error code in the body). A test may force the
 * next answers (`answerWith`) to play a vendor's error that the rules alone would not produce.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach } from 'vitest';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { readFixture } from './vectors.js';

const rules = readFixture('chat-robot-rules.json');

export type RobotName = 'dingtalk' | 'feishu' | 'wecom' | 'slack' | 'webhook';

/** sendNotifications' results, as [channel, status, code], when every robot took the message. */
export const EVERY_ROBOT_ACCEPTED = [
  ['dingtalk', 'ok', undefined],
  ['feishu', 'ok', undefined],
  ['wecom', 'ok', undefined],
  ['slack', 'ok', undefined],
  ['webhook', 'ok', undefined],
];

export interface Received {
  readonly robot: RobotName;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly raw: Buffer;
  readonly body: any;
  /** What the stand-in answered. */
  readonly status: number;
  readonly answer: string;
  /** Accepted and shown in the group. */
  readonly posted: boolean;
  /** When the request had arrived whole (Date.now), before any answerAfterMs. */
  readonly arrivedMs: number;
}

export interface ChatRobotsOptions {
  readonly token?: string;
  readonly secrets?: Partial<Record<'dingtalk' | 'feishu' | 'webhook', string>>;
  /** DingTalk custom keywords (up to 10): the message must contain one. */
  readonly dingtalkKeywords?: readonly string[];
  /** Feishu 自定义关键词 (up to 10): the text must contain one, or 19024 "Key Words Not Found". */
  readonly feishuKeywords?: readonly string[];
  /** Feishu IP 白名单: a request from any other address is refused with 19022 "Ip Not Allowed". */
  readonly feishuAllowedIps?: readonly string[];
  /** The vendors' clock, for the timestamp windows. */
  readonly now?: () => number;
  /** A slow vendor: every answer comes this long after the request arrived. */
  readonly answerAfterMs?: number;
}

interface Forced {
  readonly status?: number;
  readonly body: string | object;
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ChatRobots {
  readonly url: string;
  readonly received: Received[];
  posted(robot: RobotName): Received[];
  /** The text of the last message each vendor robot accepted, as that vendor carries it (undefined: none). */
  lastTexts(): Record<'dingtalk' | 'feishu' | 'wecom' | 'slack', string | undefined>;
  /** The next `times` requests to `robot` get this answer whatever they carry. */
  answerWith(robot: RobotName, answer: Forced, times?: number): void;
  /** Another sender on the DingTalk robot went over 20 a minute: 10 minutes of 130101 from now. */
  throttleDingtalk(): void;
  targets(): {
    dingtalk: { url: string; secret?: string };
    feishu: { url: string; secret?: string };
    wecom: { url: string };
    slack: { url: string };
    webhook: { url: string; secret?: string };
  };
  close(): Promise<void>;
}

const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

export async function startChatRobots(options: ChatRobotsOptions = {}): Promise<ChatRobots> {
  const token = options.token ?? 'robot-token-0123456789abcdef';
  const secrets = options.secrets ?? {};
  const now = options.now ?? Date.now;
  const received: Received[] = [];
  const forced = new Map<RobotName, Forced[]>();
  const sentAt = new Map<RobotName, number[]>();
  let dingtalkThrottledUntil = 0;

  /** Counts a request against the robot's cap over `perMs`; true when over it. */
  const over = (robot: RobotName, cap: number, perMs: number) => {
    const t = now();
    const recent = (sentAt.get(robot) ?? []).filter((s) => s > t - perMs);
    recent.push(t);
    sentAt.set(robot, recent);
    return recent.length > cap;
  };

  const dingtalk = (url: URL, body: any, raw: Buffer): [number, object, boolean] => {
    if (url.searchParams.get('access_token') !== token) return [200, { errcode: 300005, errmsg: 'token is not exist' }, false];
    if (now() < dingtalkThrottledUntil) return [200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }, false];
    if (over('dingtalk', rules.dingtalk.perMinute, 60_000)) {
      dingtalkThrottledUntil = now() + rules.dingtalk.throttleMs;
      return [200, { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' }, false];
    }
    if (secrets.dingtalk) {
      const ts = Number(url.searchParams.get('timestamp'));
      // URLSearchParams decodes the percent-encoding, as the vendor's urlDecode does.
      const sign = url.searchParams.get('sign') ?? '';
      const expected = createHmac('sha256', secrets.dingtalk).update(`${ts}\n${secrets.dingtalk}`, 'utf8').digest('base64');
      if (!Number.isFinite(ts) || Math.abs(now() - ts) > rules.dingtalk.clockWindowMs) return [200, { errcode: 310000, errmsg: 'sign not match, timestamp is too far from now' }, false];
      if (sign !== expected) return [200, { errcode: 310000, errmsg: 'sign not match' }, false];
    }
    if (body?.msgtype !== 'markdown' && body?.msgtype !== 'text') return [200, { errcode: 400105, errmsg: 'unsupported msgtype' }, false];
    const content: string = body.msgtype === 'markdown' ? String(body.markdown?.text ?? '') : String(body.text?.content ?? '');
    if (options.dingtalkKeywords && !options.dingtalkKeywords.some((k) => content.includes(k))) return [200, { errcode: 310000, errmsg: 'keywords not in content' }, false];
    if (bytes(content) > rules.dingtalk.contentBytes || raw.length > rules.dingtalk.contentBytes) return [200, { errcode: 460101, errmsg: 'message too long, exceed 20000 bytes' }, false];
    return [200, { errcode: 0, errmsg: 'ok' }, true];
  };

  // Feishu's security settings and their answers, all HTTP 200 (fixture feishu.errors): a hook id no bot has
  // (removed, or mistyped) 19001, the IP whitelist 19022, the keywords 19024, the signature 19021.
  const feishu = (url: URL, body: any, raw: Buffer, remote: string): [number, object, boolean] => {
    if (url.pathname !== `/open-apis/bot/v2/hook/${token}`) return [200, { code: 19001, data: {}, msg: rules.feishu.errors['19001'] }, false];
    if (options.feishuAllowedIps && !options.feishuAllowedIps.includes(remote)) return [200, { code: 19022, msg: rules.feishu.errors['19022'] }, false];
    if (raw.length > rules.feishu.bodyBytes) return [400, { code: 9499, msg: 'request body too large' }, false];
    if (over('feishu', rules.feishu.perMinute, 60_000)) return [200, { code: 11232, msg: 'frequency limited' }, false];
    if (secrets.feishu) {
      const ts = Number(body?.timestamp);
      const expected = createHmac('sha256', `${body?.timestamp}\n${secrets.feishu}`).update('').digest('base64');
      if (!Number.isFinite(ts) || Math.abs(now() / 1000 - ts) > rules.feishu.clockWindowSeconds || body?.sign !== expected) {
        return [200, { code: 19021, msg: 'sign match fail or timestamp is not within one hour from current time' }, false];
      }
    }
    if (body?.msg_type !== 'text' || typeof body?.content?.text !== 'string') return [400, { code: 9499, msg: 'Bad Request' }, false];
    if (options.feishuKeywords && !options.feishuKeywords.some((k) => String(body.content.text).includes(k))) return [200, { code: 19024, msg: rules.feishu.errors['19024'] }, false];
    return [200, { code: 0, data: {}, msg: 'success' }, true];
  };

  const wecom = (url: URL, body: any): [number, object, boolean] => {
    if (url.searchParams.get('key') !== token) return [200, { errcode: 93000, errmsg: 'invalid webhook url' }, false];
    if (over('wecom', rules.wecom.perMinute, 60_000)) return [200, { errcode: 45009, errmsg: 'api freq out of limit' }, false];
    if (body?.msgtype !== 'markdown' || typeof body?.markdown?.content !== 'string') return [200, { errcode: 40008, errmsg: 'invalid message type' }, false];
    if (bytes(body.markdown.content) > rules.wecom.markdownBytes) return [200, { errcode: 40058, errmsg: 'markdown.content exceed max length 4096' }, false];
    return [200, { errcode: 0, errmsg: 'ok' }, true];
  };

  const slack = (url: URL, body: any): [number, string, boolean] => {
    if (url.pathname !== `/services/T0/B0/${token}`) return [404, 'no_service', false];
    if (typeof body?.text !== 'string' || body.text.length > rules.slack.textCharacters) return [400, 'invalid_payload', false];
    return [200, 'ok', true];
  };

  /** The README's receiver: sha256=<hex HMAC-SHA256(secret, timestamp + "." + raw body)>, within 5 minutes. */
  const webhook = (req: IncomingMessage, raw: Buffer): [number, string, boolean] => {
    if (!secrets.webhook) return [200, '{}', true];
    const ts = String(req.headers['x-redeem-timestamp'] ?? '');
    const got = Buffer.from(String(req.headers['x-redeem-signature'] ?? ''));
    const want = Buffer.from(`sha256=${createHmac('sha256', secrets.webhook).update(Buffer.concat([Buffer.from(`${ts}.`), raw])).digest('hex')}`);
    if (!/^\d+$/.test(ts) || Math.abs(now() / 1000 - Number(ts)) > 300) return [401, 'stale', false];
    if (got.length !== want.length || !timingSafeEqual(got, want)) return [401, 'bad signature', false];
    return [200, '{}', true];
  };

  const robotOf = (path: string): RobotName | undefined =>
    path === '/robot/send' ? 'dingtalk' : path.startsWith('/open-apis/bot/v2/hook/') ? 'feishu' : path === '/cgi-bin/webhook/send' ? 'wecom' : path.startsWith('/services/') ? 'slack' : path === '/hook' || path.startsWith('/hook/') ? 'webhook' : undefined;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const arrivedMs = Date.now();
      setTimeout(() => reply(arrivedMs), options.answerAfterMs ?? 0);
    });
    const reply = (arrivedMs: number) => {
      const raw = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://robots');
      const robot = robotOf(url.pathname);
      let body: any;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        body = undefined;
      }
      const answer = (status: number, text: string, type: string, posted: boolean, headers: Readonly<Record<string, string>> = {}) => {
        if (robot) received.push({ robot, url: req.url ?? '', headers: req.headers, raw, body, status, answer: text, posted, arrivedMs });
        res.writeHead(status, { ...headers, 'content-type': type }).end(text);
      };
      if (!robot) return answer(404, '<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>', 'text/html', false);
      const next = forced.get(robot)?.shift();
      if (next) return answer(next.status ?? 200, typeof next.body === 'string' ? next.body : JSON.stringify(next.body), next.contentType ?? 'application/json', false, next.headers);
      if (req.method !== 'POST') return answer(200, JSON.stringify({ errcode: 43002, errmsg: '需要POST请求' }), 'application/json', false);
      if (robot === 'dingtalk' || robot === 'feishu' || robot === 'wecom') {
        const [status, json, posted] = robot === 'dingtalk' ? dingtalk(url, body, raw) : robot === 'feishu' ? feishu(url, body, raw, req.socket.remoteAddress ?? '') : wecom(url, body);
        return answer(status, JSON.stringify(json), 'application/json', posted);
      }
      const [status, text, posted] = robot === 'slack' ? slack(url, body) : webhook(req, raw);
      return answer(status, text, robot === 'slack' ? 'text/html' : 'application/json', posted);
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    posted: (robot) => received.filter((r) => r.robot === robot && r.posted),
    lastTexts() {
      const last = (robot: RobotName) => received.filter((r) => r.robot === robot && r.posted).at(-1)?.body;
      return { dingtalk: last('dingtalk')?.markdown.text, feishu: last('feishu')?.content.text, wecom: last('wecom')?.markdown.content, slack: last('slack')?.text };
    },
    throttleDingtalk() {
      dingtalkThrottledUntil = now() + rules.dingtalk.throttleMs;
    },
    answerWith(robot, answer, times = 1) {
      const list = forced.get(robot) ?? [];
      for (let i = 0; i < times; i++) list.push(answer);
      forced.set(robot, list);
    },
    targets: () => ({
      dingtalk: { url: `${base}/robot/send?access_token=${token}`, secret: secrets.dingtalk },
      feishu: { url: `${base}/open-apis/bot/v2/hook/${token}`, secret: secrets.feishu },
      wecom: { url: `${base}/cgi-bin/webhook/send?key=${token}` },
      slack: { url: `${base}/services/T0/B0/${token}` },
      webhook: { url: `${base}/hook`, secret: secrets.webhook },
    }),
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Robots per test, closed after it, with the process's robot pacing forgotten before it (a send of an
 * earlier test must not make this one wait): call once in a test file, then `start(options)` in each test.
 */
export function chatRobotsPerTest(): (options?: ChatRobotsOptions) => Promise<ChatRobots> {
  let current: ChatRobots | undefined;
  beforeEach(() => forgetRobotSends());
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options) => (current = await startChatRobots(options));
}

