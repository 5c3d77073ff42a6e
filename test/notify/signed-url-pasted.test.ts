/**
 * DingTalk 加签 (the vendor notes, test/fixtures/chat-robot-rules.json): `&timestamp=<ms>&sign=<sign>` are
 * appended to the robot's URL, and the robot reads them from the query. A URL copied from a script or a
 * log that had signed it already carries a stale pair; the robot reads the first one, so the pair of this
 * request must be the only one. Real HTTP to the robot stand-in (test/support/chat-robots.ts).
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { busyRun } from '../support/notify.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const startRobots = chatRobotsPerTest();
const SECRET = 'SEC0123456789abcdef0123456789abcdef';

describe('a DingTalk URL pasted with a timestamp and sign of its own', () => {
  it.each([
    ['a stale pair after the token', (url: string) => `${url}&timestamp=1600000000000&sign=c3RhbGU%3D`],
    ['a stale pair before the token', (url: string) => url.replace('?', '?timestamp=1600000000000&sign=c3RhbGU%3D&')],
    ['an empty fragment', (url: string) => `${url}#`],
  ])('%s: signed once, with this request\'s pair, and posted', async (_label, pasted) => {
    const robots = await startRobots({ secrets: { dingtalk: SECRET } });
    const url = pasted(robots.targets().dingtalk.url);
    const results = await sendNotifications({ channels: { dingtalk: { url, secret: SECRET } } }, report, { deadlineMs: Date.now() + 8_000, now: Date.now, sleep: async () => undefined });
    expect([results[0]!.status, results[0]!.code, results[0]!.message]).toEqual(['ok', undefined, undefined]);
    const query = new URL(robots.received.at(-1)!.url, 'http://robots').searchParams;
    expect([query.getAll('timestamp').length, query.getAll('sign').length]).toEqual([1, 1]);
  });
});
