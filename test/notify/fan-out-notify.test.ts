/**
 * The orchestrating run (REDEEM_ACCOUNTS) orders nothing itself: each account's own run sends that
 * account's message. An account the orchestrator could not hand on (InvokeFunction refused: the role
 * lacks fc:InvokeFunction) never runs, so no message would ever mention it unless the orchestrator says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { DomainApiError } from '../../shared/domain-api/errors.js';
import { createLogger } from '../../shared/log/index.js';
import { runFanOut } from '../../shared/run/fan-out.js';
import type { Emulator } from '../emulator/server.js';
import { MEMBERS, roleArnOf } from '../support/accounts.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';

const SECRET = 'SEC-dingtalk-signing-secret';
const [A, B] = MEMBERS.map((m) => m.id) as [string, string];

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 10, robots: { dingtalk: SECRET } });
});
afterAll(() => emulator.close());

describe('accounts the orchestrator could not hand on', () => {
  it('InvokeFunction refused for every account: the robot is told which accounts did not run, and why', async () => {
    const config = loadConfig({
      REDEEM_MODE: 'live',
      REDEEM_DOMAINS: '*',
      REDEEM_ACCOUNTS: `${roleArnOf(A)},${roleArnOf(B)}`,
      NOTIFY_DINGTALK_URL: `${emulator.url}/__robots/dingtalk?access_token=robot-access-token-0123456789`,
      NOTIFY_DINGTALK_SECRET: SECRET,
    });
    const summary = await runFanOut({
      config,
      accounts: config.accounts!,
      trigger: 'timer',
      options: {},
      credentials: EMULATOR_CREDENTIALS,
      budgetMs: 20_000,
      logger: createLogger(() => undefined),
      invoke: async () => {
        throw new DomainApiError({ action: 'InvokeFunction', code: 'AccessDenied', message: 'not authorized to fc:InvokeFunction', httpStatus: 403, requestId: 'R1' } as never);
      },
    });
    expect(summary.run).toMatchObject({ count_accounts: 2, count_failed: 2 });
    const received = emulator.state('none').robots.dingtalk.received;
    expect(received).toHaveLength(1);
    const text = (received[0]!.body as { markdown: { text: string } }).markdown.text;
    expect(text).toContain(A);
    expect(text).toContain(B);
    expect(text).toContain('AccessDenied');
  });
});
