/**
 * `redeemer run --accounts` runs the accounts in this process a few at a time (CLI_ACCOUNT_CONCURRENCY,
 * for the Domain API's QPS). Each account's run ends with its chat message, sent after its orders; a robot
 * that is slow to answer (or a message waiting for a slot under DingTalk's 20 a minute) must not keep the
 * next account from starting, or every account after the first few orders that much later (README: a
 * message never delays a submission). STS is the emulator's (AssumeRole); the robot is the vendors' stand-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { roleArnOf } from '../support/accounts.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { runCli, startEmulator } from '../support/emulator.js';

const ACCOUNTS = ['2000000000000011', '2000000000000012', '2000000000000013', '2000000000000014', '2000000000000015'];
const SLOW_MS = 2_500;
const startRobots = chatRobotsPerTest();
let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 0, accounts: ACCOUNTS.map((id, i) => ({ id, domains: 2, seed: 40 + i })) });
});
afterAll(() => emulator.close());

describe('redeemer run --accounts with a robot slow to answer', () => {
  it("starts each account without waiting for an earlier account's message", async () => {
    const robots = await startRobots({ answerAfterMs: SLOW_MS });
    const { code, err } = await runCli(emulator, ['run', '--json'], {
      STS_ENDPOINT: emulator.url,
      REDEEM_ACCOUNTS: ACCOUNTS.map((id) => roleArnOf(id)).join(','),
      NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url,
      NOTIFY_ON: 'always',
    });
    expect(code, err).toBe(0);
    const arrivals = robots.received.filter((r) => r.robot === 'dingtalk').map((r) => r.arrivedMs).sort((a, b) => a - b);
    expect(arrivals).toHaveLength(ACCOUNTS.length);
    // Every account's run is done with the registrar in well under a second here; with the accounts started
    // only once an earlier one's message was answered, the last messages came SLOW_MS after the first.
    expect(arrivals.at(-1)! - arrivals[0]!, 'from the first message to the last').toBeLessThan(SLOW_MS / 2);
  }, 30_000);
});
