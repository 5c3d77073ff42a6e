/**
 * prepareRun reads the redemption list and the ledger side by side: neither needs the other's answer, and
 * at a cross-region latency one round trip less is felt on every run. A failure of either still fails the
 * preparation, and only once both reads have ended (no read of a failed run goes on behind its back).
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/index.js';
import { DomainApiError } from '../../shared/domain-api/errors.js';
import { prepareRun } from '../../shared/run/engine.js';
import { Ledger } from '../../shared/run/ledger.js';
import { narrow } from '../../shared/run/options.js';
import { fakeClock } from '../support/fake-clock.js';
import { FakeDomainApi, type FakeCall } from '../support/fake-domain-api.js';

function setup() {
  const clock = fakeClock();
  const api = new FakeDomainApi(clock.now);
  api.domains = [{ DomainName: 'a.com', ExpirationDateLong: clock.now() - 40 * 86_400_000, DomainStatus: '2' }];
  const config = loadConfig({ REDEEM_MODE: 'dry-run' });
  const prepare = () => prepareRun({ config, effective: narrow(config, {}), clock, bounds: { deadlineMs: clock.now() + 60_000, now: clock.now } }, { api });
  return { api, prepare };
}

/** Resolves when `action` is first called; rejects after a while, so that a serial read fails instead of hanging. */
function firstCallOf(api: FakeDomainApi, action: FakeCall['action']): { seen: Promise<void>; hook: (call: FakeCall) => void } {
  let resolve!: () => void;
  const seen = new Promise<void>((r) => (resolve = r));
  return { seen, hook: (call) => (call.action === action ? resolve() : undefined) };
}

const within = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms))]);

describe('prepareRun: the list and the ledger', () => {
  it('are read side by side: the list answers only once the ledger has been asked', async () => {
    const { api, prepare } = setup();
    const ledgerAsked = firstCallOf(api, 'QueryTaskList');
    api.onCall = async (call) => {
      ledgerAsked.hook(call);
      // Read one after the other, the ledger would never be asked while the list waits here.
      if (call.action === 'QueryDomainList') await within(ledgerAsked.seen, 2_000, 'a QueryTaskList call while QueryDomainList was unanswered');
    };
    const prepared = await prepare();
    expect(prepared.candidates).toBe(1);
    expect(api.callsOf('QueryDomainList')).toHaveLength(1);
    expect(api.callsOf('QueryTaskList')).toHaveLength(1);
  });

  it('a failed list fails the preparation, with the list error, after the ledger read has ended', async () => {
    const { api, prepare } = setup();
    let ledgerDone = false;
    api.onCall = async (call) => {
      if (call.action === 'QueryDomainList') throw new DomainApiError({ action: 'QueryDomainList', code: 'InternalError', message: 'list broke (test)', requestId: 'r1', httpStatus: 500, retryAfterMs: undefined });
      if (call.action === 'QueryTaskList') {
        await new Promise((r) => setTimeout(r, 50));
        ledgerDone = true;
      }
    };
    await expect(prepare()).rejects.toMatchObject({ code: 'InternalError', message: expect.stringContaining('list broke') });
    expect(ledgerDone).toBe(true);
  });

  it('a failed ledger fails the preparation with the ledger error', async () => {
    const { api, prepare } = setup();
    api.onCall = (call) => {
      if (call.action === 'QueryTaskList') throw new DomainApiError({ action: 'QueryTaskList', code: 'InternalError', message: 'ledger broke (test)', requestId: 'r2', httpStatus: 500, retryAfterMs: undefined });
    };
    await expect(prepare()).rejects.toMatchObject({ message: expect.stringContaining('ledger broke') });
  });
});

describe('prepareRun that fails after its ledger was made', () => {
  // A run whose preparation fails never reaches the engine's close of its ledger (it has none to close): left
  // open, the process took the run for one still going forever (its runId kept in memory on a warm instance,
  // invocation after invocation), and its scope's registry of orders was never let go.
  it('closes that ledger: the run is not taken for one still going afterwards', async () => {
    const clock = fakeClock();
    const api = new FakeDomainApi(clock.now);
    api.domains = [{ DomainName: 'a.com', ExpirationDateLong: clock.now() - 55 * 86_400_000, DomainStatus: '2' }];
    // A finished task of the last two days: its details are read only once a plan needs them (resolveFinished).
    api.addTask({ domains: ['b.com'], statusCode: 2, createdMs: clock.now() - 3_600_000 });
    api.onCall = async (call) => {
      if (call.action === 'QueryTaskDetailList') throw new DomainApiError({ action: 'QueryTaskDetailList', code: 'Forbidden.RAM', message: 'details refused (test)', requestId: 'r3', httpStatus: 403, retryAfterMs: undefined });
    };
    const config = loadConfig({ REDEEM_MODE: 'dry-run' });
    const bounds = { deadlineMs: clock.now() + 60_000, now: clock.now };
    const scope = 'prepare-test|failed-after-ledger';
    await expect(prepareRun({ config, effective: narrow(config, {}), clock, bounds, scope, runId: 'run-failed-prepare' }, { api })).rejects.toMatchObject({ message: expect.stringContaining('details refused') });
    const probe = new Ledger({ api, bounds, scope });
    try {
      expect(probe.runStillGoing('run-failed-prepare')).toBe(false);
    } finally {
      probe.close();
    }
  });
});
