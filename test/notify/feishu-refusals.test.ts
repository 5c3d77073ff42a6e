/**
 * Feishu's custom bot refuses with HTTP 200 and a code for each of its security settings (fixture
 * chat-robot-rules.json, feishu.errors, from Feishu's guide): 19024 custom keywords, 19022 IP whitelist,
 * 19021 signature, 19001 a hook id no bot has (removed from the group, or the URL mistyped). What a person
 * reads in the run record (notify_feishu_error), `redeemer notify-test` and the doctor must say what to
 * change and where, as DingTalk's 310000 does for the same three settings.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);
const options = (): SendOptions => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });

async function feishuSays(target: { url: string; secret?: string }): Promise<string> {
  const [result] = (await sendNotifications({ channels: { feishu: target } }, report, options())).filter((r) => r.channel === 'feishu');
  return `${result!.status} ${result!.code}: ${result!.message}`;
}

describe('a Feishu bot that refuses the message', () => {
  it('19024: says the bot asks for a keyword and which one every message carries', async () => {
    const robots = await start({ feishuKeywords: ['告警'] });
    const said = await feishuSays(robots.targets().feishu);
    expect(said).toMatch(/^failed 19024: Key Words Not Found/);
    expect(said).toMatch(/keyword.*"domain-redeemer"/);
  });

  it("19022: says the bot's IP whitelist does not hold this function's address", async () => {
    const robots = await start({ feishuAllowedIps: ['47.96.1.2'] });
    const said = await feishuSays(robots.targets().feishu);
    expect(said).toMatch(/^failed 19022: Ip Not Allowed/);
    expect(said).toMatch(/IP whitelist/);
  });

  it('19001 (HTTP 200): says NOTIFY_FEISHU_URL names no bot (removed, or not copied whole)', async () => {
    const robots = await start();
    const said = await feishuSays({ url: robots.targets().feishu.url.replace(/[^/]+$/, 'removed-bot-0000') });
    expect(robots.received.at(-1)!.status).toBe(200);
    expect(said).toMatch(/^failed 19001: .*NOTIFY_FEISHU_URL/);
  });
});
