/**
 * Live CLI runs on one machine whose credentials are STS sessions (an `STS.…` key with its security token:
 * `aliyun sts AssumeRole`, a credentials helper, an ECS RAM role). accounts-and-billing.md: AssumeRole hands
 * out a new temporary AccessKeyId with every session, so the key id names the session, not the account or
 * the user. The host lock and the orders file beside it (shared/cli/host-lock.ts) must still be the same
 * for two sessions of one identity, or the second run neither waits for the first nor reads its orders:
 * the registrar listing the first order late (the docs promise nothing about when), it orders again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { domainItem } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { completeRecords, removeCliTemp, spawnCli, type Env } from '../safety/harness.js';
import { dueExpiration, standinEnv, standinPerTest } from '../safety/standin-runs.js';

afterAll(removeCliTemp);
const start = standinPerTest();

/** One STS session's credentials: a temporary key id of its own, its secret and its token. */
const session = (n: number): Env => ({
  ALIBABA_CLOUD_ACCESS_KEY_ID: `STS.NUk9session${n}Xq2`,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: `session-${n}-secret`,
  ALIBABA_CLOUD_SECURITY_TOKEN: `CAIS-session-${n}-token`,
});

async function cliRun(url: string, credentials: Env) {
  const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], { ...standinEnv({ url } as never, { REDEEM_FOLLOW_SECONDS: '1' }), ...credentials });
  const done = await finished(child);
  return { ...done, records: completeRecords(done.stdout) };
}

describe('live CLI runs signed by two STS sessions, one after the other', () => {
  it('the second session does not order again what the first ordered a moment ago (the registrar listing it late)', async () => {
    const s = await start({ domains: [domainItem('session.com', dueExpiration('session.com'))], listAfterMs: 120_000, newTaskStatus: 0 });
    const first = await cliRun(s.url, session(1));
    expect(first.records.find((r) => r.kind === 'decision' && r.domain === 'session.com'), first.stderr).toMatchObject({ outcome: 'submitted' });
    const second = await cliRun(s.url, session(2));
    expect(Object.fromEntries(s.ordersPerDomain()), 'orders the registrar took (each a redemption fee)').toEqual({ 'session.com': 1 });
    expect(second.records.find((r) => r.kind === 'decision' && r.domain === 'session.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
  }, 30_000);
});
