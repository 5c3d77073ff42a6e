/**
 * DingTalk counts a robot's 20 messages a minute as they reach it, and answers the 21st with 130101 and
 * 10 minutes of refusals (fixture chat-robot-rules.json; the stand-in counts arrivals on its own clock).
 * This instance counts its messages as it sends them, each on a fresh connection (a TCP and TLS handshake
 * each time, often across a border): when the first of a minute's messages took longer on the wire than
 * the one sent a minute later, the robot saw both within the same minute. The pacing must leave room for
 * that spread, or the 21st costs the robot ten minutes.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);

describe("DingTalk's minute, as the robot counts it", () => {
  it('a message sent a minute after the first of twenty that was slow on the wire is not the 21st', async () => {
    let now = Date.parse('2026-12-02T09:07:00Z');
    // How long the next request takes to reach the robot: its clock reads ours plus that.
    let wireMs = 0;
    const robots = await start({ now: () => now + wireMs });
    const send = () =>
      sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, {
        deadlineMs: now + 300_000,
        now: () => now,
        sleep: async (ms) => void (now += ms),
      });
    // Twenty messages at once, each half a second on the wire (fresh connections, a far robot).
    wireMs = 500;
    for (let i = 0; i < 20; i++) expect((await send())[0]).toMatchObject({ status: 'ok' });
    // The 21st, whenever the pacing lets it go, reaches the robot in 10 ms.
    wireMs = 10;
    const [last] = await send();
    expect(robots.received.filter((r) => r.answer.includes('130101')), 'the robot counted 21 in a minute').toHaveLength(0);
    expect(last).toMatchObject({ status: 'ok' });
  });
});
