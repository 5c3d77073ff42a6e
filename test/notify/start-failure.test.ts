/**
 * A run that cannot start (a typo in one variable after a deploy, credentials FC did not pass) fails the
 * same way on every timer run: nothing is ordered, ever. Its record goes to stdout only, so unless a
 * robot is told, nobody hears that the function has stopped working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeRun } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';

const SECRET = 'SEC-dingtalk-signing-secret';
const TOKEN = 'robot-access-token-0123456789';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 10, robots: { dingtalk: SECRET } });
});
afterAll(() => emulator.close());

describe('a run that cannot start', () => {
  it('bad configuration on a timer run: the robot is told the run failed and which variable is wrong, no secret in it', async () => {
    const lines: string[] = [];
    const env = {
      REDEEM_MODE: 'live',
      REDEEM_DOMAINS: '*',
      REDEEM_MAX_PER_RUN: 'ten',
      DOMAIN_ENDPOINT: emulator.url,
      NOTIFY_DINGTALK_URL: `${emulator.url}/__robots/dingtalk?access_token=${TOKEN}`,
      NOTIFY_DINGTALK_SECRET: SECRET,
    };
    const platform = { channel: 'event', credentials: EMULATOR_CREDENTIALS, requestId: 'req-1', timeoutSeconds: 60 } as const;
    await expect(invokeRun('timer', {}, platform, { env, logger: createLogger((line) => lines.push(line)) })).rejects.toMatchObject({ code: 'bad-configuration' });
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ kind: 'run', outcome: 'failed', error_code: 'bad-configuration', seq: 1 });
    const received = emulator.state('none').robots.dingtalk.received;
    expect(received).toHaveLength(1);
    const text = (received[0]!.body as { markdown: { text: string } }).markdown.text;
    expect(text).toContain('RUN FAILED (bad-configuration)');
    expect(text).toContain('REDEEM_MAX_PER_RUN');
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SECRET);
  });
});
