/**
 * fit.ts: within one rank, a section keeps its first (most urgent) line until only first lines are left
 * to cut. A run that failed, with long Chinese texts (3 bytes a character) everywhere: WeCom's 4,096
 * bytes and Slack's 4,000 must not give up the run's error and every domain at risk while the orders
 * that succeeded keep several lines. Real HTTP to the robot stand-ins (test/support/chat-robots.ts, from
 * the vendors' published rules).
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const startRobots = chatRobotsPerTest();
const cjk = '余额不足，无法完成赎回订单。'.repeat(20);
const name = (kind: string, i: number) => `${kind}-${i}-${'长'.repeat(40)}.中国`;
const decisions = [
  ...Array.from({ length: 20 }, (_, i) => decision(name('失败', i), 1, { action: 'redeem', reason: 'due', outcome: 'failed', task_no: `t-${i}`, error_code: 'InternalError', error_message: cjk })),
  ...Array.from({ length: 20 }, (_, i) => decision(name('成功', i), 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: `s-${i}` })),
  ...Array.from({ length: 20 }, (_, i) => decision(name('风险', i), 1, { reason: 'insufficient-balance', error_message: cjk })),
];
const report = buildReport(decisions, runRecord({ outcome: 'failed', error_code: 'PagingLimit', error_message: cjk }), [], 3, { readProblems: Array.from({ length: 5 }, (_, i) => `read ${i} came back short: ${cjk}`) });

/** The item lines under each section title, "…and N more" excluded. */
function linesPerSection(text: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const block of text.split('\n\n')) {
    const [head, ...lines] = block.split('\n');
    const title = /^\*{1,2}([^*(]+)/.exec(head!)?.[1]?.trim();
    if (title && lines.length > 0) counts[title] = lines.filter((l) => !/…and \d+ more/.test(l)).length;
  }
  return counts;
}

describe('a failed run with long Chinese texts in every urgent section', () => {
  it('WeCom and Slack: no urgent section keeps more than its first line while another loses all of its', async () => {
    const robots = await startRobots();
    const { wecom, slack } = robots.targets();
    const results = await sendNotifications({ channels: { wecom, slack } }, report, { deadlineMs: Date.now() + 8_000, now: Date.now, sleep: async () => undefined });
    expect(results.filter((r) => r.status !== 'off').map((r) => r.status)).toEqual(['ok', 'ok']);
    const texts = robots.lastTexts();
    for (const channel of ['wecom', 'slack'] as const) {
      const counts = linesPerSection(texts[channel]!);
      const urgent = ['Run failed', 'Failed', 'Ordered', 'At risk', 'Not read'].map((title) => counts[title] ?? 0);
      const emptied = urgent.some((n) => n === 0);
      expect({ channel, counts: urgent, moreThanFirst: emptied && urgent.some((n) => n > 1) }).toEqual({ channel, counts: urgent, moreThanFirst: false });
    }
  });
});
