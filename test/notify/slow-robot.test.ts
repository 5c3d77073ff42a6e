/**
 * A chat robot that answers slowly (5 to 15 s) but posts. Each attempt timed out at a fixed 5 s whatever
 * the deadline allowed, and the message was recorded as failed: the run's orders were then told again by
 * the next run as "ordered by a run that never reported". An attempt may take the time the deadline (the
 * budget's notify reserve) leaves; and one that got no answer after the whole request was written may have
 * been posted: its result is "unknown", not "failed", and says so.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { nobodyTold, notifyRecordFields, sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { busyRun } from '../support/notify.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const TOKEN = 'dt0123456789abcdef0123456789abcdef';

let close: (() => void) | undefined;
afterEach(() => close?.());

/** A DingTalk stand-in that posts every message it reads in full, then does `then` with the answer. */
async function robot(then: (res: ServerResponse) => void) {
  const posted: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      posted.push(Buffer.concat(chunks).toString('utf8'));
      then(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  close = () => {
    server.closeAllConnections();
    server.close();
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/robot/send?access_token=${TOKEN}`, posted };
}

const realTime = (ms: number) => ({ deadlineMs: Date.now() + ms, now: Date.now, sleep: (wait: number) => new Promise<void>((resolve) => setTimeout(resolve, wait)) });
const OK = '{"errcode":0,"errmsg":"ok"}';

describe('a robot slow to answer', () => {
  it('answering after 7 s, with 10 s before the deadline: delivered, once', async () => {
    const slow = await robot((res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(OK), 7_000).unref());
    const [result] = await sendNotifications({ channels: { dingtalk: { url: slow.url } } }, report, realTime(10_000));
    expect(slow.posted).toHaveLength(1);
    expect(result).toMatchObject({ channel: 'dingtalk', status: 'ok', attempts: 1 });
  }, 20_000);

  it('no answer by the deadline after it read the whole message: unknown (may have been posted), recorded so, not sent again', async () => {
    const silent = await robot(() => undefined);
    const started = Date.now();
    const [result] = await sendNotifications({ channels: { dingtalk: { url: silent.url } } }, report, realTime(2_000));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(silent.posted).toHaveLength(1);
    expect(result).toMatchObject({ channel: 'dingtalk', status: 'unknown', code: 'Timeout', attempts: 1 });
    expect(result!.message).toMatch(/may have been posted/);
    const fields = notifyRecordFields([result!]);
    expect(fields).toMatchObject({ notify_dingtalk: 'unknown', notify_dingtalk_code: 'Timeout' });
    // It may have reached a person: not "reached no one".
    expect(nobodyTold([result!])).toBe(false);
    expect(fields.notified).toBeUndefined();
  });
});
