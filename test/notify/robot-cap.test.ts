/**
 * DingTalk's published rule: 20 messages a minute per robot; the 21st is answered 130101 and the robot
 * is throttled for 10 minutes. Runs of one instance (the accounts of REDEEM_ACCOUNTS, each its own run
 * with its own message, or webhook runs in a row) share one robot, so the 21st message of a minute must
 * not be sent: it would be refused anyway, and it would cost every message of the next 10 minutes.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { busyRun } from '../support/notify.js';

const MINUTE_MS = 60_000;
const sent: number[] = [];
let throttledUntil = 0;
/** A DingTalk stand-in: 20 a minute, then 130101 and 10 minutes of 130101 whatever is sent. */
const robot = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const now = Date.now();
    sent.push(now);
    const lastMinute = sent.filter((t) => t > now - MINUTE_MS).length;
    if (lastMinute > 20) throttledUntil = now + 10 * MINUTE_MS;
    const body = now < throttledUntil ? { errcode: 130101, errmsg: 'send too fast, exceed 20 times per minute' } : { errcode: 0, errmsg: 'ok' };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
});

beforeAll(() => new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve)));
afterAll(() => {
  robot.closeAllConnections();
  robot.close();
});

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);

describe("DingTalk's 20 messages a minute", () => {
  it('25 runs in a row: 20 messages go, the others are not sent, and the robot is never throttled', async () => {
    const { port } = robot.address() as AddressInfo;
    const channels = { channels: { dingtalk: { url: `http://127.0.0.1:${port}/robot/send?access_token=dt-cap-0123456789abcdef` } } };
    const results = [];
    for (let i = 0; i < 25; i++) {
      const [result] = await sendNotifications(channels, report, { deadlineMs: Date.now() + 2_000, now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
      results.push(result!);
    }
    expect(results.filter((r) => r.status === 'ok')).toHaveLength(20);
    expect(sent).toHaveLength(20);
    expect(throttledUntil).toBe(0);
    expect(results.at(-1)).toMatchObject({ status: 'failed', code: 'RateLimitAvoided', attempts: 0 });
  });
});
