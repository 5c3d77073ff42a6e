/**
 * What to fix, said whole whatever the robot URLs hold. Every channel's URL parts long enough to be a
 * token are kept out of every result (redact.ts); the README's own NOTIFY_WEBHOOK_URL example,
 * https://example.com/hooks/redeemer, has the path segment "redeemer", and the redaction of the results'
 * whole text took it out of the advice this function writes itself: a DingTalk or Feishu robot that asks
 * for a keyword was told to add "domain-***", a keyword no message carries, and stayed silent.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);
const options = (): SendOptions => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });

describe('the advice in a refused channel\'s result, beside a webhook URL with plain words in its path', () => {
  it('DingTalk 310000 and Feishu 19024 name the keyword "domain-redeemer" whole; the webhook URL\'s own token is still kept out', async () => {
    const robots = await start({ dingtalkKeywords: ['告警'], feishuKeywords: ['告警'] });
    const targets = robots.targets();
    // README's example path, on the stand-in's address (which answers it 404), with a token in its query.
    const webhookUrl = `${new URL(targets.webhook.url).origin}/hooks/redeemer?token=hook-token-5f1c9a`;
    const results = await sendNotifications({ channels: { dingtalk: targets.dingtalk, feishu: targets.feishu, webhook: { url: webhookUrl } } }, report, options());
    const said = (channel: string) => results.find((r) => r.channel === channel)!;
    expect(said('dingtalk')).toMatchObject({ status: 'failed', code: '310000' });
    expect(said('dingtalk').message).toContain('add "domain-redeemer" to its keywords');
    expect(said('feishu')).toMatchObject({ status: 'failed', code: '19024' });
    expect(said('feishu').message).toContain('add "domain-redeemer" to its keywords');
    for (const r of results) expect(JSON.stringify(r)).not.toContain('hook-token-5f1c9a');
  });

  it("a network error's own text is still kept free of every channel's token", async () => {
    const robots = await start();
    const token = 'tok-8c2e4b7d1a';
    const failing = async (): Promise<never> => {
      throw Object.assign(new Error(`connect ECONNREFUSED while asking https://127.0.0.1:9/send?access_token=${token}`), { code: 'ECONNREFUSED' });
    };
    const results = await sendNotifications({ channels: { dingtalk: { url: `${robots.targets().dingtalk.url.split('?')[0]}?access_token=${token}` } } }, report, { ...options(), send: failing });
    const dingtalk = results.find((r) => r.channel === 'dingtalk')!;
    expect(dingtalk).toMatchObject({ status: 'failed', code: 'ECONNREFUSED' });
    expect(dingtalk.message).toContain('***');
    expect(dingtalk.message).not.toContain(token);
  });
});
