/**
 * A chat robot that answers slowly (5 to 15 s) but posts. Each attempt timed out at a fixed 5 s whatever
 * the deadline allowed, and the message was recorded as failed: the run's orders were then told again by
 * the next run as "ordered by a run that never reported". An attempt may take the time the deadline (the
 * budget's notify reserve) leaves; and one that got no answer after the whole request was written may have
 * been posted: its result is "unknown", not "failed", and says so.
 */
import { describe, expect, it } from 'vitest';
import { nobodyTold, notifyRecordFields, sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { busyRun } from '../support/notify.js';
import { postingRobot as robot, realTime } from '../support/posting-robot.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
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
