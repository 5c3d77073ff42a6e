/**
 * No chat robot deduplicates: a message sent twice is posted twice. A request that reached the robot and
 * got no answer (a slow robot past the attempt's timeout, a connection dropped after the body was read)
 * may have been posted, so it must not be sent again; only a request that never reached it may be.
 * Stand-ins written from the vendors' rules: DingTalk posts, then answers {"errcode":0,"errmsg":"ok"}.
 */
import type { ServerResponse } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { nobodyTold, notifyRecordFields, sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { closedPort } from '../support/canned-server.js';
import { busyRun } from '../support/notify.js';
import { postingRobot as robot, realTime, ROBOT_TOKEN as TOKEN } from '../support/posting-robot.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);

describe('a message that may have been posted is never sent again', () => {
  it('a robot that posts and answers after the deadline gets the message once', async () => {
    const slow = await robot((res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}'), 4_000).unref());
    const [result] = await sendNotifications({ channels: { dingtalk: { url: slow.url } } }, report, realTime(2_000));
    expect(slow.posted).toHaveLength(1);
    // Sent whole, no answer in time: it may have been posted (a slow robot within the deadline is ok: slow-robot.test.ts).
    expect(result).toMatchObject({ channel: 'dingtalk', status: 'unknown', code: 'Timeout', attempts: 1 });
  }, 30_000);

  // The robot read the whole message, then gave no answer that can be read: it may have posted it. Recorded
  // unknown (the next run says the message may not have reached you), never failed, and not sent again.
  it.each<[string, (res: ServerResponse) => void]>([
    ['a connection dropped after the robot read the message', (res) => res.socket?.destroy()],
    ['a connection reset (RST) after the robot read the message', (res) => res.socket?.resetAndDestroy()],
    ['an answer cut off before its end', (res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '27' }).write('{"errcode":0');
      setTimeout(() => res.socket?.destroy(), 20);
    }],
    ['an answer whose gzip does not decode', (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('{"errcode":0,"errmsg":"ok"}')],
    ['an answer that is not JSON', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"')],
    ['an HTML page at HTTP 200', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>ok</body></html>')],
  ])('%s: unknown, not sent again', async (_label, then) => {
    const dropping = await robot(then);
    const [result] = await sendNotifications({ channels: { dingtalk: { url: dropping.url } } }, report, realTime(10_000));
    expect(dropping.posted).toHaveLength(1);
    expect(result).toMatchObject({ channel: 'dingtalk', status: 'unknown', attempts: 1 });
    expect(result!.message).toMatch(/may have been posted/);
    expect(notifyRecordFields([result!])).toMatchObject({ notify_dingtalk: 'unknown' });
    expect(nobodyTold([result!])).toBe(false);
  });

  it('a connection reset before the request was written whole is failed, and tried again', async () => {
    let connections = 0;
    const server = createNetServer((socket) => {
      connections++;
      socket.resetAndDestroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const [result] = await sendNotifications({ channels: { dingtalk: { url: `http://127.0.0.1:${port}/robot/send?access_token=${TOKEN}` } } }, report, realTime(10_000));
      expect(result).toMatchObject({ channel: 'dingtalk', status: 'failed', code: 'ECONNRESET', attempts: 3 });
      expect(result!.message).not.toMatch(/may have (been )?posted/);
      expect(connections).toBe(3);
    } finally {
      server.close();
    }
  });

  it('a robot that could not be reached at all is tried again', async () => {
    const port = await closedPort();
    const [result] = await sendNotifications({ channels: { dingtalk: { url: `http://127.0.0.1:${port}/robot/send?access_token=${TOKEN}` } } }, report, realTime(10_000));
    expect(result).toMatchObject({ status: 'failed', code: 'ECONNREFUSED', attempts: 3 });
  });
});
