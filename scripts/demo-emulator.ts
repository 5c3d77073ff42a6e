/**
 * The embedded demo: an emulator with a small portfolio in every phase, one order already in flight from
 * an "earlier run", and the environment that points the redeemer at it (live mode: no money is involved).
 */
import { clientEnvironment } from '../test/emulator/cli-usage.js';
import { DAY_MS } from '../test/emulator/portfolio.js';
import { DEFAULT_ACCESS_KEY, Emulator, type EmulatorOptions } from '../test/emulator/server.js';

/** `extra` adds to the demo set-up, e.g. member accounts for `npm run demo:accounts`. */
export async function startDemoEmulator(extra: EmulatorOptions = {}): Promise<{ emulator: Emulator; env: Record<string, string> }> {
  const robotSecret = 'SEC-demo-dingtalk-secret';
  const emulator = new Emulator({ domains: 48, seed: 2026, redemptionShare: 0.5, taskTiming: { waitingMs: 400, executingMs: 800 }, robots: { dingtalk: robotSecret }, ...extra });
  const url = await emulator.start();
  const late = emulator.domain.domains.filter((d) => d.phase === 'late-redemption');
  if (late[0]) emulator.domain.seedTask(late[0].domainName, Date.now() - 3_600_000, { waitingMs: 600_000, executingMs: DAY_MS });
  return {
    emulator,
    env: {
      REDEEM_MODE: 'live',
      REDEEM_DOMAINS: '*',
      REDEEM_EXCLUDE: '*.shop',
      REDEEM_MAX_PER_RUN: '10',
      ...clientEnvironment(url, DEFAULT_ACCESS_KEY),
      ALIBABA_CLOUD_SECURITY_TOKEN: 'demo-sts-token',
      // The emulator plays a DingTalk custom robot with 加签, so the demo shows the message a person gets.
      NOTIFY_DINGTALK_URL: `${url}/__robots/dingtalk?access_token=demo-robot-token`,
      NOTIFY_DINGTALK_SECRET: robotSecret,
    },
  };
}
