/** The emulator's robots refuse what their vendors refuse, so that the delivery tests can trust them. */
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { startEmulator } from '../support/emulator.js';

let emulator: Emulator;
const secret = 'SECrobot-secret';
beforeAll(async () => {
  emulator = await startEmulator({ domains: 5, robots: { dingtalk: secret, feishu: secret, webhook: secret } });
});
afterAll(() => emulator.close());

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, json: (() => { try { return JSON.parse(text); } catch { return undefined; } })() };
}

const markdown = (text: string) => ({ msgtype: 'markdown', markdown: { title: 't', text } });

describe('DingTalk robot', () => {
  const sign = (ts: number) => encodeURIComponent(createHmac('sha256', secret).update(`${ts}\n${secret}`).digest('base64'));
  it('accepts a correctly signed message and refuses others with HTTP 200 and errcode 310000', async () => {
    const ts = Date.now();
    expect((await post(`/__robots/dingtalk?access_token=t&timestamp=${ts}&sign=${sign(ts)}`, markdown('hi'))).json).toEqual({ errcode: 0, errmsg: 'ok' });
    const unsigned = await post('/__robots/dingtalk?access_token=t', markdown('hi'));
    expect(unsigned).toMatchObject({ status: 200, json: { errcode: 310000 } });
    const stale = Date.now() - 3_700_000;
    expect((await post(`/__robots/dingtalk?access_token=t&timestamp=${stale}&sign=${sign(stale)}`, markdown('hi'))).json).toMatchObject({ errcode: 310000 });
    expect((await post(`/__robots/dingtalk?timestamp=${ts}&sign=${sign(ts)}`, markdown('hi'))).json).toMatchObject({ errcode: 40035 });
  });

  it('refuses content above 20,000 bytes', async () => {
    const ts = Date.now();
    expect((await post(`/__robots/dingtalk?access_token=t&timestamp=${ts}&sign=${sign(ts)}`, markdown('字'.repeat(6_667)))).json).toMatchObject({ errcode: 460101 });
  });
});

describe('Feishu robot', () => {
  it('checks timestamp and sign in the body (key = timestamp + "\\n" + secret, empty message)', async () => {
    const ts = Math.floor(Date.now() / 1000);
    const sign = createHmac('sha256', `${ts}\n${secret}`).update('').digest('base64');
    const text = { msg_type: 'text', content: { text: 'hi' } };
    expect((await post('/__robots/feishu/hook-id', { timestamp: String(ts), sign, ...text })).json).toMatchObject({ code: 0 });
    expect((await post('/__robots/feishu/hook-id', { timestamp: String(ts + 1), sign, ...text })).json).toMatchObject({ code: 19021 });
    expect((await post('/__robots/feishu/hook-id', text)).json).toMatchObject({ code: 19021 });
  });
});

describe('WeCom, Slack and webhook robots', () => {
  it('WeCom refuses markdown above 4,096 bytes and a missing key', async () => {
    expect((await post('/__robots/wecom?key=k', { msgtype: 'markdown', markdown: { content: 'a'.repeat(4_096) } })).json).toEqual({ errcode: 0, errmsg: 'ok' });
    expect((await post('/__robots/wecom?key=k', { msgtype: 'markdown', markdown: { content: 'a'.repeat(4_097) } })).json).toMatchObject({ errcode: 40058 });
    expect((await post('/__robots/wecom', { msgtype: 'markdown', markdown: { content: 'a' } })).json).toMatchObject({ errcode: 93000 });
  });

  it('Slack answers ok or a plain-text error', async () => {
    expect(await post('/__robots/slack/T/B/x', { text: 'hi' })).toMatchObject({ status: 200, text: 'ok' });
    expect(await post('/__robots/slack/T/B/x', 'not json')).toMatchObject({ status: 400, text: 'invalid_payload' });
  });

  it('the webhook verifies x-redeem-signature', async () => {
    const body = JSON.stringify({ summary: 's', ordered: [], failed: [], at_risk: [], renew: [], run: {} });
    const ts = String(Math.floor(Date.now() / 1000));
    const signature = `sha256=${createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex')}`;
    expect((await post('/__robots/webhook', body, { 'x-redeem-timestamp': ts, 'x-redeem-signature': signature })).status).toBe(200);
    expect((await post('/__robots/webhook', body, { 'x-redeem-timestamp': ts, 'x-redeem-signature': signature.replace(/.$/, (last) => (last === '0' ? '1' : '0')) })).status).toBe(401);
  });

  it('lists what each robot received in /__emulator/state, and refuses an unknown mode', async () => {
    expect((await post('/__robots/slack/mode', 'sometimes')).status).toBe(400);
    const state = (await (await fetch(`${emulator.url}/__emulator/state?domains=none`)).json()) as any;
    expect(state.robots.wecom.received.map((m: { status: number; answer: { errcode: number } }) => m.answer.errcode)).toEqual([0, 40058, 93000]);
    expect(state.robots.slack.mode).toBe('ok');
  });
});
