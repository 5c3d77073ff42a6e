/**
 * The read-back of the day's orders (GetLogs v1, `kind: decision and action: redeem`) against GetLogs
 * answers that the vendor says must not be believed as they are. sls.md section 8: `x-log-progress` is
 * `Complete` or `Incomplete`, "repeat while Incomplete"; the SLS docs ("Use GetLogs to query logs") say
 * the result set is complete only when IsCompleted() is true, and every SDK's IsCompleted() is
 * `progress == "Complete"` (Python GetLogsResponse.is_completed, Java GetLogsResponse.IsCompleted).
 * A morning run's order that the registrar does not list yet must hold its domain on a fresh instance, or
 * the run must at least say, under "Not read", that it could not be held.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { SlsClient } from '../../shared/sls/client.js';
import { EMULATOR_CREDENTIALS, recordingRuntime } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsScripted, type SlsStandin } from '../support/sls-standin.js';
import { quickClock, runInProcess } from '../safety/harness.js';
import { dueExpiration, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
let sls: SlsStandin | undefined;
afterEach(async () => {
  await sls?.close();
  sls = undefined;
});

/** This morning's live order of held.com, as the run's decision line reads back (every value a string). */
const morningOrder = () => ({ __time__: String(Math.floor(Date.now() / 1000) - 3600), __source__: 'fc-request', __topic__: 'domain-redeemer', kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'held.com', task_no: 'T-held', run_id: 'morning' });

/** A fresh instance's live run, the registrar not listing the morning's task yet; `answer` answers the n-th read of the day's orders. */
async function freshRun(answer: (n: number) => SlsScripted | undefined) {
  const s = await start({ domains: [domainItem('held.com', dueExpiration('held.com'))], listAfterMs: 120_000, newTaskStatus: 0 });
  let reads = 0;
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: (call) => (call.api === 'GetLogs' && /action: redeem/.test(call.query.query ?? '') ? answer(++reads) : undefined) });
  forgetRegistrar(s.url);
  const run = await runInProcess(liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1' }), { clock: quickClock, followIntervalMs: 10 });
  return { orders: s.orders.length, decision: run.summary.decisions.find((d) => d.domain === 'held.com'), problems: String(run.summary.run.read_problems ?? ''), reads };
}

describe('an answer that does not say its result is complete', () => {
  for (const [label, progress] of [
    ['without x-log-progress', undefined],
    ['with x-log-progress: incomplete (not the documented spelling)', 'incomplete'],
    ['with an x-log-progress of neither documented value', 'Running'],
  ] as const) {
    it(`${label}, empty: asked again, and the complete answer holds the morning's order (not ordered again)`, async () => {
      const r = await freshRun((n) => (n === 1 ? { getLogs: [], headers: { 'x-log-progress': progress } } : { getLogs: [morningOrder()] }));
      expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
      expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
      expect(r.reads).toBe(2);
    }, 30_000);
  }

  it('that never says Complete: not believed; the run says under "Not read" that the orders were read back only in part', async () => {
    const r = await freshRun(() => ({ getLogs: [], headers: { 'x-log-progress': undefined } }));
    expect(r.problems).toMatch(/read back from the results logstore only in part.*the answer had no x-log-progress/);
  }, 30_000);

  // Unread, the orders of other instances the registrar does not list yet, and their runs' submissions left
  // unanswered, count on neither cap (the submissions read is given up with the orders'): said with the hold.
  it('that never says Complete: the run says the day\'s caps may miss those orders too, not only their holds', async () => {
    const r = await freshRun(() => ({ getLogs: [], headers: { 'x-log-progress': undefined } }));
    // Read in part (the rows of the incomplete page hold their domains) or not at all: either way, said with the caps.
    expect(r.problems).toMatch(/day's caps.*read back from the results logstore only in part|could not be read back from the results logstore.*day's caps/);
  }, 30_000);
});

/**
 * `x-log-count` is the number of logs the answer carries (sls.md section 8). An answer whose count says
 * more rows than its body holds lacks some of them: a page that looks short is taken for the last one,
 * and the rows it lacks (an order among them) are never read.
 */
describe('an answer whose x-log-count disagrees with its rows', () => {
  it('counting a row its empty body does not carry: asked again, and the answer that carries it holds the morning order', async () => {
    const r = await freshRun((n) => (n === 1 ? { getLogs: [], headers: { 'x-log-count': '1' } } : { getLogs: [morningOrder()] }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
    expect(r.reads).toBe(2);
  }, 30_000);

  it('counting fewer rows than it carries (x-log-count: 0 over the morning order): the rows it carries hold, nothing ordered', async () => {
    const r = await freshRun(() => ({ getLogs: [morningOrder()], headers: { 'x-log-count': '0' } }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
  }, 30_000);

  // A count that is there but is no whole number (a repeated header arrives joined, "1, 1") cannot vouch for the rows.
  for (const count of ['1.0', '1, 1']) {
    it(`x-log-count: ${count} over an empty body: asked again, and the answer that carries the morning order holds it`, async () => {
      const r = await freshRun((n) => (n === 1 ? { getLogs: [], headers: { 'x-log-count': count } } : { getLogs: [morningOrder()] }));
      expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
      expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
      expect(r.reads).toBe(2);
    }, 30_000);
  }

  it('that keeps disagreeing: not believed; the run says under "Not read" that the orders were read back only in part', async () => {
    const r = await freshRun(() => ({ getLogs: [], headers: { 'x-log-count': '100' } }));
    expect(r.problems).toMatch(/read back from the results logstore only in part.*x-log-count said 100 logs/);
  }, 30_000);
});

/**
 * What an answer that is not whole still carries: rows SLS found. An incomplete answer may lack rows,
 * never invent them; the morning's order among its rows is an order all the same.
 */
describe('an answer that stays incomplete but carries the morning order', () => {
  for (const [label, headers] of [
    ['x-log-progress: Incomplete every time', { 'x-log-progress': 'Incomplete' }],
    ['x-log-count above its rows every time', { 'x-log-count': '100' }],
  ] as const) {
    it(`${label}: the order it carries holds its domain (not ordered again), and the read is said to be partial`, async () => {
      const r = await freshRun(() => ({ getLogs: [morningOrder()], headers }));
      expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
      expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
      expect(r.problems).toMatch(/read back from the results logstore only in part/);
    }, 30_000);
  }
});

describe('headers of a refused read that repeat the credentials (a gateway echoing the request)', () => {
  for (const header of ['x-log-progress', 'x-log-requestid', 'x-log-count'] as const) {
    it(`${header}: no part of the security token or the secret in the error`, async () => {
      const { securityToken, accessKeySecret } = EMULATOR_CREDENTIALS;
      const echoed = `${securityToken ?? ''}${accessKeySecret}`;
      sls = await startSlsStandin({
        keys: keysFor(EMULATOR_CREDENTIALS),
        script: (call) => (call.api === 'GetLogs' ? { getLogs: [], headers: { 'x-log-progress': header === 'x-log-progress' ? echoed : header === 'x-log-count' ? 'Complete' : 'Incomplete', ...(header === 'x-log-requestid' ? { 'x-log-requestid': echoed } : {}), ...(header === 'x-log-count' ? { 'x-log-count': echoed } : {}) } } : undefined),
      });
      const { clock } = recordingRuntime();
      const client = new SlsClient({ target: { endpoint: sls.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock });
      const error = await client.logs('kind: run', 1, Math.floor(Date.now() / 1000) + 1, Date.now() + 5_000, { line: 1, offset: 0 }).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toMatch(/^SLS GetLogs failed: /);
      for (const secret of [securityToken ?? '', accessKeySecret]) expect(error?.message).not.toContain(secret.slice(0, 12));
    }, 30_000);
  }
});

describe('answers the read-back already believes rightly (kept so)', () => {
  it('x-log-progress: Incomplete with an empty array: asked again, and the complete answer holds the morning order', async () => {
    const r = await freshRun((n) => (n === 1 ? { getLogs: [], headers: { 'x-log-progress': 'Incomplete' } } : { getLogs: [morningOrder()] }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
  }, 30_000);

  it('the same order twice, rows out of time order, __time__ as a JSON number: held once, nothing ordered', async () => {
    const older = { ...morningOrder(), __time__: Math.floor(Date.now() / 1000) - 7200, domain: 'held.com', run_id: 'earlier' };
    const r = await freshRun(() => ({ getLogs: [older, morningOrder(), morningOrder()] }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
  }, 30_000);

  it('a 200 whose body is not JSON: not believed; said under "Not read"', async () => {
    const r = await freshRun(() => ({ getLogs: '<html><body>Welcome</body></html>', raw: true }));
    expect(r.problems).toMatch(/could not be read back from the results logstore.*not JSON/);
  }, 30_000);
});

/**
 * Every GetLogs answer is untrusted input: sls.md section 8 says its rows are flat string objects, but a
 * field that arrives as a JSON number (a task number that looks like one, a proxy that re-encodes) is the
 * same field. Dropped, the morning's order read as one with no task number: it held nothing.
 */
describe('rows whose fields are not all strings', () => {
  it('task_no as a JSON number: the order still holds its domain (not ordered again)', async () => {
    const r = await freshRun(() => ({ getLogs: [{ ...morningOrder(), task_no: 734921 }] }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: '734921' });
  }, 30_000);
});

/**
 * A read-back row names its domain as whatever wrote it spelt it: one domain is one domain in any spelling
 * (DESIGN.md section 2). A trailing dot may be an ideographic full stop (U+3002, which IDNA maps to ".").
 */
describe('rows naming the domain in another spelling', () => {
  for (const written of ['HELD.COM.', 'held.com\u3002', 'ｈｅｌｄ.com']) {
    it(`${JSON.stringify(written)} holds held.com (not ordered again)`, async () => {
      const r = await freshRun(() => ({ getLogs: [{ ...morningOrder(), domain: written }] }));
      expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
      expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
    }, 30_000);
  }
});

/**
 * A read-back SLS refuses for a reason a person mends (sls.md 2.3: 400 RequestTimeExpired, the clock more
 * than 15 min off SLS's) says what to fix under "Not read", however long the vendor's words and request id.
 */
describe('a read-back refused for the clock', () => {
  it('RequestTimeExpired: "Not read" says to fix the clock, not only the vendor words cut short', async () => {
    const words = 'Request time Thu, 03 Dec 2026 06:10:00 GMT has been expired while server time is Thu, 03 Dec 2026 06:40:00 GMT.';
    const r = await freshRun(() => ({ status: 400, errorCode: 'RequestTimeExpired', errorMessage: words }));
    expect(r.problems).toMatch(/could not be read back from the results logstore.*RequestTimeExpired/);
    expect(r.problems).toMatch(/fix NTP/);
  }, 30_000);
});

/**
 * 403 ReadQuotaExceed (sls.md 2.3) is SLS throttling a read: a read is safe to ask again (DESIGN.md: reads
 * retry on throttling), and given up at once, the hold of the morning's order was off for the run.
 */
describe('a read-back throttled once', () => {
  it('403 ReadQuotaExceed, then the answer: asked again, and the morning order holds its domain', async () => {
    const r = await freshRun((n) => (n === 1 ? { status: 403, errorCode: 'ReadQuotaExceed', errorMessage: 'Read quota exceed' } : { getLogs: [morningOrder()] }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
  }, 30_000);
});

/** A row that is no object among the rows (null, a bare string): the rows beside it are rows all the same. */
describe('an answer with a row that is not an object', () => {
  it('[morning order, null]: the order holds its domain (not ordered again), and the read is said to be partial', async () => {
    const r = await freshRun(() => ({ getLogs: [morningOrder(), null] }));
    expect(r.orders, 'orders the registrar took (each a redemption fee)').toBe(0);
    expect(r.decision).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: 'T-held' });
    expect(r.problems).toMatch(/read back from the results logstore only in part.*rows were not objects/);
  }, 30_000);
});
