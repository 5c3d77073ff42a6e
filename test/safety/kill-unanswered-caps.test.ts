/**
 * A run SIGKILLed while an order was on the wire: the registrar took it, the answer never reached the run,
 * and the registrar lists the task only later (domain-api.md: the docs do not say how soon a task is
 * listed). The killed run's one trace is its `kind: submission` line (the CLI's orders file keeps it too).
 * The next run tells it as an outcome unknown and decides the domain again (README Safety model); what it
 * must not do is forget it on the day's caps: a run counts its own unknown outcome against
 * REDEEM_MAX_PER_DAY and the spend "all the same" (README, No blind resend), and the caps are per rolling
 * 24 h, not per run. Otherwise a kill lets the next run order as if the day were empty, and a cap of one
 * order (or of one fee) is passed by a second order a minute later.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { balanceBody, startBss, type BssStandin } from '../support/bss-standin.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { removeCliTemp } from './harness.js';
import { killAtFirstOrder, liveCliRun, SAVE } from './kill-at-order.js';
import { dueExpiration, standinPerTest } from './standin-runs.js';

afterAll(removeCliTemp);
const start = standinPerTest();
const inbox = inboxPerTest();
let bss: BssStandin | undefined;
afterEach(async () => {
  await bss?.close();
  bss = undefined;
});
type StoreOptions = Omit<NonNullable<Parameters<typeof startSlsStandin>[0]>, 'keys'>;


// Deadlines 4 and 5 days away: due (REDEEM_WITHIN_DAYS 7); the registrar lists the killed run's task a minute on.
const portfolio = () => [domainItem('onwire.com', dueExpiration('onwire.com') + 86_400_000), domainItem('other.com', dueExpiration('other.com') + 2 * 86_400_000)];

describe('SIGKILL with an order on the wire that the registrar lists late: the next run counts it on the day\'s caps', () => {
  it('REDEEM_MAX_PER_DAY=1: the next run orders nothing more (cap-per-day) and tells the order as an outcome unknown', async () => {
    const k = killAtFirstOrder();
    const s = await start({ domains: portfolio(), listAfterMs: 60_000, newTaskStatus: 0, script: k.script as never });
    const box = await inbox();
    const env = { REDEEM_MAX_PER_DAY: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
    const killed = await liveCliRun(s.url, env, (child) => (k.state.child = child));
    expect(killed.code, 'the first run was killed').toBeNull();
    expect(s.orders.map((o) => o.domainName), 'the order the registrar took').toEqual(['onwire.com']);
    const next = await liveCliRun(s.url, env);
    expect(s.orders.map((o) => o.domainName), 'orders of the day').toEqual(['onwire.com']);
    expect(next.records.filter((r) => r.kind === 'decision').map((r) => r.reason)).toEqual(['cap-per-day', 'cap-per-day']);
    expect(box.bodies.flatMap((b) => (b.outcome_unknown ?? []) as Array<Record<string, unknown>>).map((u) => u.domain)).toEqual(['onwire.com']);
  }, 30_000);

  it('REDEEM_MAX_SPEND_PER_DAY=1000 with .com at 600: the next run places no second order of 600 (cap-spend-per-day)', async () => {
    bss = await startBss(EMULATOR_CREDENTIALS, () => ({ body: balanceBody({ AvailableAmount: '10000.00' }) }));
    const k = killAtFirstOrder();
    const s = await start({ domains: portfolio(), listAfterMs: 60_000, newTaskStatus: 0, script: k.script as never });
    const env = { REDEEM_PRICES: '{"com": 600}', REDEEM_MAX_SPEND_PER_DAY: '1000', BSS_ENDPOINT: bss.url };
    const killed = await liveCliRun(s.url, env, (child) => (k.state.child = child));
    expect(killed.code, 'the first run was killed').toBeNull();
    const next = await liveCliRun(s.url, env);
    expect(s.orders.map((o) => o.domainName), 'orders of the day').toEqual(['onwire.com']);
    expect(next.records.filter((r) => r.kind === 'decision').map((r) => r.reason)).toEqual(['cap-spend-per-day', 'cap-spend-per-day']);
  }, 30_000);
});

describe('the same on fresh instances (no temp folder in common), through the results logstore', () => {
  // Every stand-in a test starts is closed (a single variable closed only the last one).
  const stores: SlsStandin[] = [];
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });
  const openStore = async (options: StoreOptions) => {
    const store = await startSlsStandin({ keys: keysFor({ accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, accessKeySecret: EMULATOR_CREDENTIALS.accessKeySecret }), ...options });
    stores.push(store);
    return store;
  };

  /**
   * The registrar takes the first order and holds its answer; the CLI child is SIGKILLed once its
   * `kind: submission` line has reached the logstore. A second run, on a fresh temp folder (a fresh
   * instance), must count that order on REDEEM_MAX_PER_DAY=1 and order nothing more.
   */
  async function killedThenNextInstance(options: StoreOptions = {}): Promise<void> {
    const store = await openStore(options);
    const state = { child: undefined as ChildProcessWithoutNullStreams | undefined, armed: true };
    const script = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
      if (!state.armed || !state.child || call.action !== SAVE) return undefined;
      state.armed = false;
      standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
      const child = state.child;
      const poll = setInterval(() => {
        if (store.records().some((r) => r.kind === 'submission')) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 10);
      child.once('exit', () => clearInterval(poll));
      return { raw: '', then: 'hold' };
    };
    const s = await start({ domains: portfolio(), listAfterMs: 60_000, newTaskStatus: 0, script: script as never });
    const fresh = async (onChild?: (child: ChildProcessWithoutNullStreams) => void) => {
      const dir = mkdtempSync(join(tmpdir(), 'redeemer-fresh-'));
      try {
        return await liveCliRun(s.url, { TMPDIR: dir, SLS_ENDPOINT: store.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', REDEEM_MAX_PER_DAY: '1' }, onChild);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const killed = await fresh((child) => (state.child = child));
    expect(killed.code, 'the first run was killed').toBeNull();
    const next = await fresh();
    expect(s.orders.map((o) => o.domainName), 'orders of the day').toEqual(['onwire.com']);
    expect(next.records.filter((r) => r.kind === 'decision').map((r) => r.reason)).toEqual(['cap-per-day', 'cap-per-day']);
  }

  it('killed once its submission line reached the logstore, REDEEM_MAX_PER_DAY=1: the next instance orders nothing more', async () => {
    await killedThenNextInstance();
  }, 30_000);

  // The read of the runs' ends (which runs told their orders) is the third query of the read-back; SLS may
  // answer it Incomplete every time (sls.md section 8: repeat while Incomplete), and then which runs told is
  // unknown. Whether the killed run told or not, its order may have been taken: it still counts on the caps.
  it('the same when the read of the runs\' ends stays Incomplete: which runs told is unknown, the order still counts', async () => {
    await killedThenNextInstance({
      script: (call) => (call.api === 'GetLogs' && /kind: run/.test(call.query.query ?? '') ? { getLogs: [], headers: { 'x-log-progress': 'Incomplete', 'x-log-count': '0' } } : undefined),
    });
  }, 30_000);

  // The orders' read (kind: decision and action: redeem) needs an index on `action`; the submissions'
  // (kind: submission) does not. With the orders' refused (sls.md: ParameterInvalid for a key not indexed),
  // the submissions read back all the same must still count: the killed run's order may have been taken.
  it('the same when the read of the orders is refused but the submissions are read: the order on the wire still counts', async () => {
    await killedThenNextInstance({
      script: (call) => (call.api === 'GetLogs' && /action: redeem/.test(call.query.query ?? '') ? { status: 400, errorCode: 'ParameterInvalid', errorMessage: 'key (action) is not config as key value config' } : undefined),
    });
  }, 30_000);

  // The submissions are read by a query of their own, beside the orders'. Answered Incomplete every time
  // (or without x-log-progress), the killed run's order cannot count on the caps: that must be said, as a
  // read of the orders that failed is, since the caps then rest on the registrar's list alone.
  it('when the read of the submissions stays Incomplete, the run says that the caps may miss such an order', async () => {
    const store = await openStore({
      script: (call) => (call.api === 'GetLogs' && /kind: submission/.test(call.query.query ?? '') ? { getLogs: [], headers: { 'x-log-progress': 'Incomplete', 'x-log-count': '0' } } : undefined),
    });
    const s = await start({ domains: portfolio(), listAfterMs: 60_000, newTaskStatus: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'redeemer-fresh-'));
    try {
      const run = await liveCliRun(s.url, { TMPDIR: dir, SLS_ENDPOINT: store.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results' });
      const record = run.records.find((r) => r.kind === 'run' && r.outcome !== 'started');
      // An incomplete page's rows are kept (SlsClient.partialLogs), so the read is said to be partial.
      expect(String(record?.read_problems ?? '')).toMatch(/submissions (could not be read back|were read back from the results logstore only in part).*caps/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
