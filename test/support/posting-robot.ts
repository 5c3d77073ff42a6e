/**
 * A DingTalk stand-in that posts every message it reads in full, then answers as `then` says (late, never,
 * or by dropping the connection): for the tests of a robot that may have posted without answering.
 * Registers its own close after each test.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export const ROBOT_TOKEN = 'dt0123456789abcdef0123456789abcdef';

let close: (() => void) | undefined;
afterEach(() => {
  close?.();
  close = undefined;
});

export async function postingRobot(then: (res: ServerResponse) => void): Promise<{ readonly url: string; readonly posted: string[] }> {
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
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/robot/send?access_token=${ROBOT_TOKEN}`, posted };
}

/** A deadline `ms` from now on the real clock, as sendNotifications takes it. */
export const realTime = (ms: number) => ({ deadlineMs: Date.now() + ms, now: Date.now, sleep: (wait: number) => new Promise<void>((resolve) => setTimeout(resolve, wait)) });
