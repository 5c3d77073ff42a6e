/**
 * A logstore that accepts connections and never answers, while the function's time runs out: the
 * records' delivery must not eat the time the message needs, or nobody hears that the run happened and
 * that SLS failed.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { createLogger } from '../../shared/log/index.js';
import { runRedemption } from '../../shared/run/run.js';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';

const SECRET = 'SEC-dingtalk-signing-secret';
const BUDGET_MS = 12_000;

let emulator: Emulator;
let silent: Server;
const sockets: Socket[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 30, executingMs: 60 }, robots: { dingtalk: SECRET } });
  silent = createServer((socket) => void sockets.push(socket.on('error', () => undefined)));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  silent.close();
  await emulator.close();
});

describe('a logstore that never answers', () => {
  it('the robot still hears of the run, and that SLS delivery failed, within the budget', async () => {
    const { port } = silent.address() as AddressInfo;
    const lines: string[] = [];
    const started = Date.now();
    const summary = await runRedemption({
      config: loadConfig({
        REDEEM_MODE: 'live',
        REDEEM_DOMAINS: '*',
        REDEEM_MAX_PER_RUN: '3',
        REDEEM_API_QPS: '1000',
        DOMAIN_ENDPOINT: emulator.url,
        SLS_ENDPOINT: `http://127.0.0.1:${port}`,
        SLS_PROJECT: 'audit',
        SLS_LOGSTORE: 'results',
        NOTIFY_DINGTALK_URL: `${emulator.url}/__robots/dingtalk?access_token=robot-access-token-0123456789`,
        NOTIFY_DINGTALK_SECRET: SECRET,
      }),
      credentials: EMULATOR_CREDENTIALS,
      trigger: 'timer',
      options: {},
      budgetMs: BUDGET_MS,
      followIntervalMs: 50,
      logger: createLogger((line) => lines.push(line)),
    });
    expect(Date.now() - started).toBeLessThanOrEqual(BUDGET_MS + 500);
    expect(summary.run).toMatchObject({ sls_delivery: 'failed', notify: 'sent' });
    expect(summary.run.notify_dingtalk).toBe('ok');
    const received = emulator.state('none').robots.dingtalk.received;
    expect(received).toHaveLength(1);
    expect((received[0]!.body as { markdown: { text: string } }).markdown.text).toContain('SLS delivery failed');
  }, 30_000);
});
