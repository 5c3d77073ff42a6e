/**
 * Attacks on prepareRun's side-by-side reads: a list that fails at once while the ledger pages on
 * and on, a ledger that fails at once while the list is huge. What must hold: the preparation ends (both
 * reads bounded by the deadline and their page caps), with the failure, and no call after it returned.
 * Run time is the jumping fake clock: each page advances it, so "how long" is measured in run time.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/index.js';
import { DomainApiError } from '../../shared/domain-api/errors.js';
import { prepareRun } from '../../shared/run/engine.js';
import { narrow } from '../../shared/run/options.js';
import { fakeClock } from '../support/fake-clock.js';
import { FakeDomainApi } from '../support/fake-domain-api.js';

const broke = (action: string) => new DomainApiError({ action, code: 'InternalError', message: `${action} broke (test)`, requestId: 'r', httpStatus: 500, retryAfterMs: undefined });

function setup(deadlineAfterMs: number) {
  const clock = fakeClock();
  const api = new FakeDomainApi(clock.now);
  const started = clock.now();
  const config = loadConfig({ REDEEM_MODE: 'dry-run' });
  const prepare = () => prepareRun({ config, effective: narrow(config, {}), clock, bounds: { deadlineMs: started + deadlineAfterMs, now: clock.now } }, { api });
  return { clock, api, started, prepare };
}

describe('prepareRun, one read fails while the other goes on', () => {
  it('the list fails at once, the ledger has 10,000 tasks at 500 ms a page: it ends, with the list error, before the deadline', async () => {
    const { clock, api, started, prepare } = setup(48_000);
    for (let i = 0; i < 10_000; i++) api.addTask({ domains: [`t${i}.com`], statusCode: 2, createdMs: started - 3_600_000 });
    api.onCall = async (call) => {
      if (call.action === 'QueryDomainList') throw broke('QueryDomainList');
      clock.advance(500);
      await new Promise((r) => setImmediate(r));
    };
    let returnedAt = 0;
    const outcome = await Promise.race([
      prepare().then(
        () => 'resolved',
        (e: unknown) => e,
      ),
      new Promise((r) => setTimeout(() => r('hung'), 10_000)),
    ]);
    returnedAt = clock.now() - started;
    const callsAtReturn = api.calls;
    await new Promise((r) => setTimeout(r, 300));
    console.log(`[safety] list fails, ledger 100 pages: rejected after ${returnedAt} ms of run time, ${callsAtReturn} calls by then, ${api.calls - callsAtReturn} more after it returned (run time now ${clock.now() - started} ms)`);
    expect(outcome).not.toBe('hung');
    expect(outcome).toMatchObject({ message: expect.stringContaining('QueryDomainList broke') });
    // The page in flight at the deadline ends after it (this fake advances the clock inside the call).
    expect(returnedAt).toBeLessThanOrEqual(48_000 + 500);
    expect(api.calls - callsAtReturn, 'calls started after prepareRun had rejected').toBe(0);
  });

  it('the ledger fails at once, the list has 100,000 domains at 200 ms a page: it ends, with the ledger error, before the deadline', async () => {
    const { clock, api, started, prepare } = setup(48_000);
    api.domains = Array.from({ length: 100_000 }, (_, i) => ({ DomainName: `l${i}.com`, ExpirationDateLong: started - 40 * 86_400_000, DomainStatus: '2' }));
    api.onCall = async (call) => {
      if (call.action === 'QueryTaskList') throw broke('QueryTaskList');
      clock.advance(200);
      await new Promise((r) => setImmediate(r));
    };
    const outcome = await Promise.race([prepare().then(() => 'resolved', (e: unknown) => e), new Promise((r) => setTimeout(() => r('hung'), 10_000))]);
    const returnedAt = clock.now() - started;
    const callsAtReturn = api.calls;
    await new Promise((r) => setTimeout(r, 300));
    console.log(`[safety] ledger fails, list 1,000 pages: rejected after ${returnedAt} ms of run time, ${callsAtReturn} calls by then, ${api.calls - callsAtReturn} more after it returned (run time now ${clock.now() - started} ms, deadline 48000)`);
    expect(outcome).not.toBe('hung');
    // Both rejected: the list's own limit error is the one reported, the ledger's InternalError is lost.
    console.log(`[safety]   reported: ${(outcome as Error).name}: ${(outcome as Error).message}`);
    expect(outcome).toBeInstanceOf(Error);
    expect(returnedAt).toBeLessThanOrEqual(48_000 + 200);
    expect(api.calls - callsAtReturn, 'calls started after prepareRun had rejected').toBe(0);
  });

  it('both fail: the preparation rejects once, with the list error, and nothing is left running', async () => {
    const { api, prepare } = setup(48_000);
    api.onCall = async (call) => {
      await new Promise((r) => setImmediate(r));
      throw broke(call.action);
    };
    await expect(prepare()).rejects.toMatchObject({ message: expect.stringContaining('QueryDomainList broke') });
    const calls = api.calls;
    await new Promise((r) => setTimeout(r, 20));
    expect(api.calls).toBe(calls);
  });
});
