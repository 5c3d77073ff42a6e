/** One message per vendor within its size limit, whatever the run, saying how many were left out. */
import { describe, expect, it } from 'vitest';
import { dingtalkRequest } from '../../shared/notify/channels/dingtalk.js';
import { feishuRequest } from '../../shared/notify/channels/feishu.js';
import { slackRequest } from '../../shared/notify/channels/slack.js';
import { webhookRequest } from '../../shared/notify/channels/webhook.js';
import { wecomRequest } from '../../shared/notify/channels/wecom.js';
import { buildReport } from '../../shared/notify/report.js';
import { readFixture } from '../support/vectors.js';
import { decision, NOW, runRecord } from '../support/notify.js';

const limits = readFixture('notify-vendors.json').limits;
const bytes = (text: string) => Buffer.byteLength(text, 'utf8');

// 500 domains at risk, with long Unicode names so that bytes and characters differ.
const decisions = Array.from({ length: 500 }, (_, i) => decision(`域名-${String(i).padStart(4, '0')}-portfolio-domain.中国`, i % 4, { reason: 'not-allowed' }));
const report = buildReport(decisions, runRecord(), [], 3);
const target = (url: string) => ({ url, secret: 'SECfixed' });

/** The at-risk lines shown and the N of "…and N more". */
function shownAndLeftOut(text: string): [number, number] {
  const shown = text.split('\n').filter((line) => /域名-\d{4}/.test(line)).length;
  const match = /…and (\d+) more/.exec(text);
  return [shown, Number(match?.[1] ?? 0)];
}

describe('500 domains at risk', () => {
  it('DingTalk: body within 20,000 bytes and content within its limit', () => {
    const body = JSON.parse(dingtalkRequest(target('https://oapi.dingtalk.com/robot/send?access_token=t'), report, NOW).body);
    const raw = JSON.stringify(body);
    expect(bytes(raw)).toBeLessThanOrEqual(20_000);
    expect(bytes(body.markdown.text)).toBeLessThanOrEqual(limits.dingtalkContentBytes);
    const [shown, leftOut] = shownAndLeftOut(body.markdown.text);
    expect(shown).toBeGreaterThan(50);
    expect(shown + leftOut).toBe(500);
    expect(body.markdown.text).toContain('At risk (500)');
  });

  it('Feishu: body within 20 KB', () => {
    const request = feishuRequest(target('https://open.feishu.cn/open-apis/bot/v2/hook/x'), report, NOW);
    expect(bytes(request.body)).toBeLessThanOrEqual(limits.feishuBodyBytes);
    const [shown, leftOut] = shownAndLeftOut(JSON.parse(request.body).content.text);
    expect(shown + leftOut).toBe(500);
    expect(leftOut).toBeGreaterThan(0);
  });

  it('WeCom: markdown within 4,096 bytes', () => {
    const content = JSON.parse(wecomRequest({ url: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k' }, report).body).markdown.content;
    expect(bytes(content)).toBeLessThanOrEqual(limits.wecomMarkdownBytes);
    // Close to the limit: the cut drops lines, not more than it must.
    expect(bytes(content)).toBeGreaterThan(limits.wecomMarkdownBytes - 200);
    const [shown, leftOut] = shownAndLeftOut(content);
    expect(shown).toBeGreaterThan(5);
    expect(shown + leftOut).toBe(500);
    expect(content).toMatch(/Find it in SLS: `run_id: run-0f1e2d3c`$/);
  });

  it('Slack: text within 4,000 bytes', () => {
    const text = JSON.parse(slackRequest({ url: 'https://hooks.slack.com/services/T/B/x' }, report).body).text;
    expect(bytes(text)).toBeLessThanOrEqual(4_000);
    expect(text.length).toBeLessThan(limits.slackTextCharacters);
    const [shown, leftOut] = shownAndLeftOut(text);
    expect(shown + leftOut).toBe(500);
  });

  it('the webhook: within 64 KiB, what was cut counted in left_out', () => {
    const many = buildReport(Array.from({ length: 2_000 }, (_, i) => decision(`d${i}-long-enough-to-matter.example.com`, 1, { reason: 'cap-per-run' })), runRecord(), [], 3);
    const body = webhookRequest(target('https://hooks.example.com/x'), many, NOW).body;
    expect(bytes(body)).toBeLessThanOrEqual(64 * 1024);
    const json = JSON.parse(body);
    expect(json.at_risk.length + json.left_out.at_risk).toBe(2_000);
    expect(json.summary).toContain('2000 at risk');
  });

  it('a small report is not cut', () => {
    const small = buildReport(decisions.slice(0, 3), runRecord(), [], 3);
    const content = JSON.parse(wecomRequest({ url: 'https://x.example/?key=k' }, small).body).markdown.content;
    expect(shownAndLeftOut(content)).toEqual([3, 0]);
  });
});
