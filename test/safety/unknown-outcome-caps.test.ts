/**
 * An order whose outcome stayed unknown (the connection dropped once it was sent: the registrar took it,
 * and lists the task only a minute later) counts against the day's caps "all the same" in its own run
 * (README, No blind resend). The caps are per rolling 24 h: the next run, in the same warm process (a
 * webhook after the timer) or the next CLI run on the machine, must count it too. It holds no domain (the
 * next run decides again), but it may have cost a fee, and a cap of one order must not let a second
 * through a minute later.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { completeRecords, removeCliTemp, spawnCli } from './harness.js';
import { decisionsOf, dueExpiration, runAgainst, standinEnv, standinPerTest } from './standin-runs.js';

afterAll(removeCliTemp);
const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

/** The first order is taken as the registrar does and its connection dropped: an outcome unknown. */
function dropFirstOrder() {
  let armed = true;
  return (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
    if (!armed || call.action !== SAVE) return undefined;
    armed = false;
    standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
    return 'drop';
  };
}

const portfolio = () => [domainItem('unknown.com', dueExpiration('unknown.com') + 86_400_000), domainItem('other.com', dueExpiration('other.com') + 2 * 86_400_000)];

describe('an order whose outcome stayed unknown, then the next run, REDEEM_MAX_PER_DAY=1', () => {
  it('in the same process: the first run counts it (other.com cap-per-day), and so does the next', async () => {
    const s = await start({ domains: portfolio(), listAfterMs: 60_000, newTaskStatus: 0, script: dropFirstOrder() as never });
    const first = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1' } });
    expect(decisionsOf(first).map((d) => [d.domain, d.outcome, d.reason, d.error_code ?? null])).toEqual([
      ['unknown.com', 'failed', 'due', 'OutcomeUnknown'],
      ['other.com', 'skipped', 'cap-per-day', null],
    ]);
    const next = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1' } });
    expect(s.orders.map((o) => o.domainName), 'orders of the day').toEqual(['unknown.com']);
    expect(decisionsOf(next).map((d) => d.reason)).toEqual(['cap-per-day', 'cap-per-day']);
  }, 30_000);

  it('once the registrar lists the order, it is counted once, not again as unknown: REDEEM_MAX_PER_DAY=2 lets the next run order other.com', async () => {
    const s = await start({ domains: portfolio(), listAfterMs: 300, newTaskStatus: 0, script: dropFirstOrder() as never });
    await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2', REDEEM_MAX_PER_RUN: '1', REDEEM_FOLLOW_SECONDS: '0' } });
    expect(s.orders.map((o) => o.domainName), 'the first run tried one').toEqual(['unknown.com']);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const next = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '2' } });
    expect(decisionsOf(next).find((d) => d.domain === 'other.com')).not.toMatchObject({ reason: 'cap-per-day' });
    expect(s.orders.map((o) => o.domainName).sort()).toEqual(['other.com', 'unknown.com']);
  }, 30_000);

  it('the next CLI run on the machine (the orders file): counted too', async () => {
    const s = await start({ domains: portfolio(), listAfterMs: 60_000, newTaskStatus: 0, script: dropFirstOrder() as never });
    const env = {
      ...standinEnv(s, { REDEEM_MAX_PER_DAY: '1', REDEEM_FOLLOW_SECONDS: '1' }),
      ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: EMULATOR_CREDENTIALS.securityToken,
    };
    const cli = async () => completeRecords((await finished(spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], env))).stdout);
    const first = await cli();
    expect(first.find((r) => r.kind === 'decision' && r.domain === 'unknown.com')).toMatchObject({ outcome: 'failed', error_code: 'OutcomeUnknown' });
    const next = await cli();
    expect(s.orders.map((o) => o.domainName), 'orders of the day').toEqual(['unknown.com']);
    expect(next.filter((r) => r.kind === 'decision').map((r) => r.reason)).toEqual(['cap-per-day', 'cap-per-day']);
  }, 30_000);
});
