/**
 * DingTalk's 20 messages a minute per robot (fixture chat-robot-rules.json, the stand-in counts them): the
 * runs of one process share the robot (the CLI's accounts, whose messages go on beside each other's runs),
 * and a message over the cap waits for a slot while the deadline allows (README). Slots free one at a time
 * as the minute slides, so several messages waiting at once must each get one in turn, not give up
 * because another took the first slot to free.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);

describe('messages waiting together for a DingTalk slot', () => {
  it('each is sent in turn as the minute frees its slots, and the robot is never throttled', async () => {
    let now = Date.parse('2026-12-02T09:07:00Z');
    const robots = await start({ now: () => now });
    const channels = { channels: { dingtalk: robots.targets().dingtalk } };
    // A shared clock: a sleeper wakes at its own time, never moving the clock back for another.
    const options = (deadlineInMs: number) => ({
      deadlineMs: now + deadlineInMs,
      now: () => now,
      sleep: async (ms: number) => {
        const wake = now + ms;
        await new Promise((resolve) => setTimeout(resolve, 1));
        now = Math.max(now, wake);
      },
    });
    // 20 messages, one a second: the robot's minute is full, its slots free one a second from 09:08:00.
    for (let i = 0; i < 20; i++) {
      expect((await sendNotifications(channels, report, options(10_000)))[0]).toMatchObject({ status: 'ok' });
      now += 1_000;
    }
    // Five more runs finish together, with ten minutes to send.
    const results = await Promise.all(Array.from({ length: 5 }, () => sendNotifications(channels, report, options(600_000))));
    expect(results.map((r) => [r[0]!.status, r[0]!.code])).toEqual(Array.from({ length: 5 }, () => ['ok', undefined]));
    expect(robots.received.filter((r) => r.answer.includes('130101')), 'never over the cap').toHaveLength(0);
    expect(robots.posted('dingtalk')).toHaveLength(25);
  });
});
