/**
 * A message is posted on a connection of its own. A server may close an idle keep-alive connection just as
 * it is reused (Node's documented race); the reset that follows, before any answer byte, cannot be told
 * from one after the robot posted the message, so the message is not sent again (it could be posted
 * twice) and a person hears nothing. Here a robot resets every request that arrives on a connection it
 * has already served.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { busyRun } from '../support/notify.js';

const served = new WeakSet<Socket>();
const posted: string[] = [];
let resets = 0;
const robot = createServer((req: IncomingMessage, res) => {
  if (served.has(req.socket)) {
    resets++;
    req.socket.destroy();
    return;
  }
  served.add(req.socket);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    posted.push(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(200, { 'content-type': 'application/json', connection: 'keep-alive' }).end('{}');
  });
});
let url = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => robot.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(robot.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => robot.close(() => resolve())));

describe('a robot that resets a reused keep-alive connection', () => {
  it('gets every message of an instance, each on a connection of its own', async () => {
    forgetRobotSends();
    const { decisions, run, watch } = busyRun();
    const report = buildReport(decisions, run, watch, 3, {});
    const config = { channels: { webhook: { url, secret: 'webhook-secret-0123456789' } } };
    const options = () => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: async () => undefined });
    const first = await sendNotifications(config, report, options());
    const second = await sendNotifications(config, report, options());
    const third = await sendNotifications(config, report, options());
    expect([first, second, third].map((r) => r.find((c) => c.channel === 'webhook')?.status)).toEqual(['ok', 'ok', 'ok']);
    expect(posted).toHaveLength(3);
    expect(resets).toBe(0);
  });
});
