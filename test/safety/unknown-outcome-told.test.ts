/**
 * An order whose outcome stayed unknown counts on REDEEM_MAX_PER_DAY for 24 h in the runs after it (see
 * unknown-outcome-caps.test.ts). With a cap of one, it is that very domain's retry it holds: the order may
 * never have reached the registrar (the connection dropped before it took it), and the domain's deadline
 * may be within the day. A person reading only "cap reached: REDEEM_MAX_PER_DAY" would think another order
 * used the day up; what holds the domain is its own order of unknown outcome, and only the registrar's
 * console says whether it exists.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { balanceBody, startBss, type BssStandin } from '../support/bss-standin.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const inbox = inboxPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const DAY_MS = 86_400_000;
let bss: BssStandin | undefined;
afterEach(async () => {
  await bss?.close();
  bss = undefined;
});

/** The first order's connection is dropped before the registrar takes it: nothing was ordered. */
/** The hold is told as the cap's (`variable`), filled by that run's own order of unknown outcome, and where to look. */
function expectOwnUnknownTold(why: string, variable: string, runId: string): void {
  expect(why).toContain(variable);
  expect(why).toMatch(/unknown outcome/);
  expect(why).toContain(runId);
  expect(why).toMatch(/console/);
}

function dropFirstOrderUntaken() {
  let armed = true;
  return (call: StandinCall): Scripted | undefined => {
    if (!armed || call.action !== SAVE) return undefined;
    armed = false;
    return 'drop';
  };
}

describe('REDEEM_MAX_PER_DAY=1, a domain whose only order of the day has an unknown outcome, its deadline a day away', () => {
  it('the next run holds it on the cap and tells that the cap is its own order of unknown outcome, to be checked in the console', async () => {
    // dueExpiration puts the deadline three days away: two days earlier, one day.
    const s = await start({ domains: [domainItem('lastday.com', dueExpiration('lastday.com') - 2 * DAY_MS)], listAfterMs: 60_000, newTaskStatus: 0, script: dropFirstOrderUntaken() as never });
    const first = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1', REDEEM_FOLLOW_SECONDS: '1' } });
    expect(decisionsOf(first).map((d) => [d.domain, d.error_code ?? null])).toEqual([['lastday.com', 'OutcomeUnknown']]);
    expect(s.orders, 'the registrar took nothing').toEqual([]);
    const box = await inbox();
    const next = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1', REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) } });
    expect(decisionsOf(next).map((d) => [d.domain, d.reason])).toEqual([['lastday.com', 'cap-per-day']]);
    const atRisk = (box.bodies[0]?.at_risk ?? []) as Array<Record<string, unknown>>;
    expect(atRisk.map((a) => a.domain)).toEqual(['lastday.com']);
    expectOwnUnknownTold(String(atRisk[0]!.why), 'REDEEM_MAX_PER_DAY', first.summary.run.run_id as string);
  }, 30_000);
});

describe('REDEEM_MAX_SPEND_PER_DAY=1000 with .com at 600, the same domain and order', () => {
  it('the next run holds it on the spend cap and tells that the spend counted is its own order of unknown outcome', async () => {
    bss = await startBss(EMULATOR_CREDENTIALS, () => ({ body: balanceBody({ AvailableAmount: '10000.00' }) }));
    const s = await start({ domains: [domainItem('lastday.com', dueExpiration('lastday.com') - 2 * DAY_MS)], listAfterMs: 60_000, newTaskStatus: 0, script: dropFirstOrderUntaken() as never });
    const env = { REDEEM_PRICES: '{"com": 600}', REDEEM_MAX_SPEND_PER_DAY: '1000', BSS_ENDPOINT: bss.url, REDEEM_FOLLOW_SECONDS: '1' };
    const first = await runAgainst(s, { env });
    expect(decisionsOf(first).map((d) => [d.domain, d.error_code ?? null])).toEqual([['lastday.com', 'OutcomeUnknown']]);
    const box = await inbox();
    const next = await runAgainst(s, { env: { ...env, NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) } });
    expect(decisionsOf(next).map((d) => [d.domain, d.reason])).toEqual([['lastday.com', 'cap-spend-per-day']]);
    expectOwnUnknownTold(String(((box.bodies[0]?.at_risk ?? []) as Array<Record<string, unknown>>)[0]?.why), 'REDEEM_MAX_SPEND_PER_DAY', first.summary.run.run_id as string);
  }, 30_000);
});

describe('the day\'s count found full at the submission of a domain held by its own order of unknown outcome', () => {
  it('the less urgent domain held after it is told what fills the cap, not that its own order of unknown outcome does', async () => {
    let base = Number.POSITIVE_INFINITY;
    const drop = dropFirstOrderUntaken();
    const s = await start({
      domains: [
        domainItem('lastday.com', dueExpiration('lastday.com') - 2 * DAY_MS),
        domainItem('nextday.com', dueExpiration('nextday.com') - DAY_MS),
      ],
      listAfterMs: 60_000,
      newTaskStatus: 0,
      script: ((call: StandinCall, standin: { tasks: unknown[] }) => {
        // The next run's look right before its first submission: another party placed two orders since its plan.
        if (call.action === 'QueryTaskList' && call.n === base + 2) {
          standin.tasks.push({ taskNo: 'T-OTHER-1', domainName: 'other1.com', statusCode: 0, createdMs: Date.now() }, { taskNo: 'T-OTHER-2', domainName: 'other2.com', statusCode: 0, createdMs: Date.now() });
        }
        return drop(call);
      }) as never,
    });
    // The first run: lastday.com's order is dropped unanswered; nextday.com is held on REDEEM_MAX_PER_DAY=1.
    const first = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1', REDEEM_FOLLOW_SECONDS: '1' } });
    expect(decisionsOf(first).find((d) => d.domain === 'lastday.com')?.error_code).toBe('OutcomeUnknown');
    base = s.callsOf('QueryTaskList').length;
    // The next run, REDEEM_MAX_PER_DAY=3: plans both (one unknown order counted), then finds three counted.
    const next = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '3', REDEEM_FOLLOW_SECONDS: '1' } });
    expect(s.orders).toEqual([]);
    const held = decisionsOf(next);
    expect(held.map((d) => [d.domain, d.reason])).toEqual([
      ['lastday.com', 'cap-per-day'],
      ['nextday.com', 'cap-per-day'],
    ]);
    expect(String(held[0]!.error_message)).toMatch(/this domain's own order of unknown outcome/);
    expect(String(held[1]!.error_message)).not.toMatch(/this domain's own order of unknown outcome/);
    expect(String(held[1]!.error_message)).toMatch(/REDEEM_MAX_PER_DAY=3 is used by 3 orders/);
  }, 30_000);
});

describe('REDEEM_MAX_PER_DAY=1 filled by a domain\'s own order of unknown outcome and by a later order of another domain', () => {
  it('the domain is told when the cap frees: once the later order leaves the 24 h, not when its own order does', async () => {
    const s = await start({ domains: [domainItem('lastday.com', dueExpiration('lastday.com') - 2 * DAY_MS)], listAfterMs: 60_000, newTaskStatus: 0, script: dropFirstOrderUntaken() as never });
    const first = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1', REDEEM_FOLLOW_SECONDS: '1' } });
    expect(decisionsOf(first).map((d) => d.error_code)).toEqual(['OutcomeUnknown']);
    // Another party's order, placed after the unknown one was sent (the stand-in dates in Beijing time,
    // read as UTC: 8 h later, see money-and-dates.test.ts).
    const laterMs = Date.now();
    s.tasks.push({ taskNo: 'T-OTHER', domainName: 'other.com', statusCode: 0, createdMs: laterMs } as never);
    const next = await runAgainst(s, { env: { REDEEM_MAX_PER_DAY: '1', REDEEM_FOLLOW_SECONDS: '1' } });
    const [held] = decisionsOf(next);
    expect(held).toMatchObject({ domain: 'lastday.com', reason: 'cap-per-day' });
    const minute = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 16).replace('T', ' ');
    expect(String(held!.error_message)).toMatch(/own order of unknown outcome/);
    // A listed task counts 15 min past its CreateTime + 24 h: the registrar's clock may be that far behind ours.
    expect(String(held!.error_message)).toContain(`until ${minute(laterMs + 8 * 3_600_000 + DAY_MS + 15 * 60_000)} UTC`);
  }, 30_000);
});

describe("the day's spend found full at the submission of a domain whose own order of unknown outcome it counts", () => {
  it('the hold at the submission tells that the spend counted is its own order of unknown outcome, as the plan does', async () => {
    bss = await startBss(EMULATOR_CREDENTIALS, () => ({ body: balanceBody({ AvailableAmount: '10000.00' }) }));
    let base = Number.POSITIVE_INFINITY;
    const drop = dropFirstOrderUntaken();
    const s = await start({
      domains: [domainItem('lastday.com', dueExpiration('lastday.com') - 2 * DAY_MS)],
      listAfterMs: 60_000,
      newTaskStatus: 0,
      script: ((call: StandinCall, standin: { tasks: unknown[] }) => {
        // The next run's look right before its submission: another party ordered a .com since its plan.
        if (call.action === 'QueryTaskList' && call.n === base + 2) {
          standin.tasks.push({ taskNo: 'T-OTHER', domainName: 'other.com', statusCode: 0, createdMs: Date.now() });
        }
        return drop(call);
      }) as never,
    });
    const env = { REDEEM_PRICES: '{"com": 600}', BSS_ENDPOINT: bss.url, REDEEM_FOLLOW_SECONDS: '1' };
    const first = await runAgainst(s, { env: { ...env, REDEEM_MAX_SPEND_PER_DAY: '1000' } });
    expect(decisionsOf(first).map((d) => [d.domain, d.error_code ?? null])).toEqual([['lastday.com', 'OutcomeUnknown']]);
    base = s.callsOf('QueryTaskList').length;
    // The plan counts 600 (its own unknown order) + 600 <= 1300; the look before the submission finds 1800.
    const next = await runAgainst(s, { env: { ...env, REDEEM_MAX_SPEND_PER_DAY: '1300' } });
    expect(s.orders).toEqual([]);
    const [held] = decisionsOf(next);
    expect(held).toMatchObject({ domain: 'lastday.com', reason: 'cap-spend-per-day' });
    expectOwnUnknownTold(String(held!.error_message), 'REDEEM_MAX_SPEND_PER_DAY', first.summary.run.run_id as string);
  }, 30_000);
});
