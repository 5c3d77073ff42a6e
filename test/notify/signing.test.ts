/**
 * Each vendor's signature on fixed inputs, against the published algorithm computed here from SHA-256
 * alone (HMAC written out as RFC 2104 defines it, itself checked on the RFC 4231 vector), so that a
 * mistake shared by the signer and node's createHmac call sites cannot pass.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dingtalkRequest, dingtalkSign } from '../../shared/notify/channels/dingtalk.js';
import { feishuRequest, feishuSign } from '../../shared/notify/channels/feishu.js';
import { webhookRequest } from '../../shared/notify/channels/webhook.js';
import { testReport } from '../../shared/notify/report.js';
import { readFixture } from '../support/vectors.js';

const fixture = readFixture('notify-vendors.json');

/** HMAC-SHA256 = H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), with a 64-byte block. */
function hmacSha256(key: string, message: string): Buffer {
  let k = Buffer.from(key, 'utf8');
  if (k.length > 64) k = createHash('sha256').update(k).digest();
  const block = Buffer.concat([k, Buffer.alloc(64 - k.length)]);
  const pad = (byte: number) => Buffer.from(block.map((b) => b ^ byte));
  const inner = createHash('sha256').update(pad(0x36)).update(Buffer.from(message, 'utf8')).digest();
  return createHash('sha256').update(pad(0x5c)).update(inner).digest();
}

const SECRET = 'SEC4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e';
const NOW_MS = 1_767_225_600_123; // 2026-01-01T00:00:00.123Z

describe('HMAC-SHA256 written out', () => {
  it('matches RFC 4231 test case 2', () => {
    expect(hmacSha256(fixture.hmacSha256.key, fixture.hmacSha256.data).toString('hex')).toBe(fixture.hmacSha256.hex);
  });
});

describe('DingTalk 加签', () => {
  it('is base64(HMAC-SHA256(key = secret, timestamp_ms + "\\n" + secret))', () => {
    const expected = hmacSha256(SECRET, `${NOW_MS}\n${SECRET}`).toString('base64');
    expect(dingtalkSign(SECRET, NOW_MS)).toBe(expected);
  });

  it('goes URL-encoded into the query with the timestamp in milliseconds', () => {
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=abc123';
    const request = dingtalkRequest({ url, secret: SECRET }, testReport({ runId: 'r1', mode: 'live' }), NOW_MS);
    const sign = hmacSha256(SECRET, `${NOW_MS}\n${SECRET}`).toString('base64');
    // Percent-encoding of base64's + / = as the vendor's urlEncode does.
    const encoded = sign.replace(/\+/g, '%2B').replace(/\//g, '%2F').replace(/=/g, '%3D');
    expect(request.url).toBe(`${url}&timestamp=${NOW_MS}&sign=${encoded}`);
    const body = JSON.parse(request.body);
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toContain('domain-redeemer');
  });

  it('sends no timestamp or sign without a secret', () => {
    const url = 'https://oapi.dingtalk.com/robot/send?access_token=abc123';
    expect(dingtalkRequest({ url }, testReport({ runId: 'r1', mode: 'live' }), NOW_MS).url).toBe(url);
  });
});

describe('Feishu 签名校验', () => {
  it('is base64(HMAC-SHA256(key = timestamp_s + "\\n" + secret, message = empty))', () => {
    const seconds = Math.floor(NOW_MS / 1000);
    expect(feishuSign(SECRET, seconds)).toBe(hmacSha256(`${seconds}\n${SECRET}`, '').toString('base64'));
  });

  it('goes into the JSON body with the timestamp in seconds, the URL untouched', () => {
    const url = 'https://open.feishu.cn/open-apis/bot/v2/hook/0b8e2f6a-1111-2222-3333-444455556666';
    const request = feishuRequest({ url, secret: SECRET }, testReport({ runId: 'r1', mode: 'live' }), NOW_MS);
    expect(request.url).toBe(url);
    const body = JSON.parse(request.body);
    expect(body.timestamp).toBe('1767225600');
    expect(body.sign).toBe(hmacSha256(`1767225600\n${SECRET}`, '').toString('base64'));
    expect(body.msg_type).toBe('text');
    expect(body.content.text).toContain('test message');
  });
});

describe('the generic webhook', () => {
  it('is signed like our inbound webhook: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>', () => {
    const request = webhookRequest({ url: 'https://hooks.example.com/in', secret: 'shared-secret' }, testReport({ runId: 'r1', mode: 'dry-run' }), NOW_MS);
    const headers = Object.fromEntries(request.headers);
    expect(headers['x-redeem-timestamp']).toBe('1767225600');
    expect(headers['x-redeem-signature']).toBe(`sha256=${hmacSha256('shared-secret', `1767225600.${request.body}`).toString('hex')}`);
    expect(Object.keys(JSON.parse(request.body))).toEqual(['summary', 'ordered', 'failed', 'outcome_unknown', 'earlier_orders', 'at_risk', 'left_for_next_run', 'renew', 'run']);
  });
});
