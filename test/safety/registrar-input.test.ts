/**
 * Findings 2, 3 and 9 (listing items, read retries): a registrar's answers are input like any other.
 * A domain is one domain however often and in whatever spelling it is listed, a ledger task counts under
 * whichever spelling the registrar reports it, an item that cannot be trusted is never ordered, and a
 * single bad answer to a read is asked again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { domainItem, pageBody, type StandinOptions, type StandinTask } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { removeCliTemp, spawnCli } from './harness.js';
import { PUNYCODE_NAME, UNICODE_NAME, decisionsOf, dueExpiration, runAgainst, standinEnv, standinPerTest } from './standin-runs.js';

afterAll(removeCliTemp);

const start = standinPerTest();

const due = (name: string, extra: Record<string, unknown> = {}) => domainItem(name, dueExpiration(name), extra);
const HOUR_MS = 3_600_000;

function task(domainName: string, statusCode: number, hoursAgo = 2): StandinTask {
  return { taskNo: `T-${domainName}-${statusCode}`, domainName, statusCode, createdMs: Date.now() - hoursAgo * HOUR_MS };
}

describe('finding 2: one order per domain, however the list repeats it', () => {
  it('the same name listed twice: one SaveSingleTaskForCreatingOrderRedeem', async () => {
    // One item listed twice, as the registrar would: two calls of due() could fall in two milliseconds and
    // give two expiry dates, which is another case (refused as an invalid listing).
    const twice = due('twice.com');
    const s = await start({ domains: [twice, due('other.com'), twice] });
    const { summary } = await runAgainst(s);
    expect(summary.run.outcome).toBe('completed');
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'twice.com': 1, 'other.com': 1 });
  });

  it('the same name in another case and with a trailing dot: one order, sent in the canonical form', async () => {
    const expiration = dueExpiration('case.com');
    const s = await start({ domains: [domainItem('Case.COM', expiration), domainItem('case.com', expiration), domainItem('CASE.com.', expiration)] });
    await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'case.com': 1 });
  });

  it('one IDN listed in its Unicode and its punycode spelling: one order, in punycode', async () => {
    const expiration = dueExpiration(PUNYCODE_NAME);
    const s = await start({ domains: [domainItem(UNICODE_NAME, expiration), domainItem(PUNYCODE_NAME, expiration)] });
    await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ [PUNYCODE_NAME]: 1 });
  });

  it('a registrar that ignores PageNum (page 1 again and again, NextPage true): one order per domain, the list read no further than the first page announced', async () => {
    const items = [due('paged-a.com'), due('paged-b.com')];
    const s = await start({
      script: (call) => (call.action === 'QueryDomainList' ? { body: pageBody('QueryDomainList', items, { pageNum: Number(call.params.PageNum), nextPage: true, totalPages: 3 }) } : undefined),
    });
    const { summary } = await runAgainst(s);
    expect(summary.run.outcome).toBe('completed');
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'paged-a.com': 1, 'paged-b.com': 1 });
    // Each list (redemption, and renewal for the notification) stops at the repeated page; pages fetched
    // ahead of it are at most the three the first page announced.
    expect(s.callsOf('QueryDomainList').length).toBeLessThanOrEqual(2 * 3);
    expect(summary.run.listing_repeated_page).toBe(true);
  });

  it('the same name listed with two different expiration dates: no order, an invalid-listing decision', async () => {
    const s = await start({ domains: [domainItem('split.com', dueExpiration('split.com')), domainItem('split.com', dueExpiration('split.com') - 86_400_000), due('fine.com')] });
    const run = await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'fine.com': 1 });
    expect(decisionsOf(run).find((d) => d.domain === 'split.com')).toMatchObject({ action: 'skip', reason: 'invalid-listing' });
  });
});

describe('finding 3: a task reported under the Unicode name counts for the punycode name', () => {
  for (const [label, statusCode, reason] of [
    ['waiting', 0, 'task-in-flight'],
    ['executing', 1, 'task-in-flight'],
    ['succeeded', 2, 'already-redeemed'],
    ['with an undocumented TaskStatusCode 9', 9, 'task-in-flight'],
  ] as const) {
    it(`a task ${label} under ${UNICODE_NAME} stops an order for ${PUNYCODE_NAME} (${reason})`, async () => {
      const s = await start({ domains: [due(PUNYCODE_NAME), due('plain.com')], tasks: [task(UNICODE_NAME, statusCode)] });
      const run = await runAgainst(s);
      expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'plain.com': 1 });
      expect(decisionsOf(run).find((d) => d.domain === PUNYCODE_NAME)).toMatchObject({ action: 'skip', reason });
    });
  }

  it('the other way round: a task under the punycode name stops an order for a domain listed in Unicode', async () => {
    const s = await start({ domains: [due(UNICODE_NAME)], tasks: [task(PUNYCODE_NAME, 1)] });
    await runAgainst(s);
    expect(s.orders).toHaveLength(0);
  });

  it('a task that failed under the Unicode name does not stop a new order (a failed redemption may be tried again)', async () => {
    const s = await start({ domains: [due(PUNYCODE_NAME)], tasks: [task(UNICODE_NAME, 3)] });
    await runAgainst(s);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ [PUNYCODE_NAME]: 1 });
  });

  it('the follow-up matches a task the registrar reports under the Unicode name, and the next run does not order again', async () => {
    const s = await start({ domains: [due(PUNYCODE_NAME)], reportName: () => UNICODE_NAME });
    const first = await runAgainst(s);
    expect(decisionsOf(first).find((d) => d.domain === PUNYCODE_NAME)).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo });
    expect(first.records.some((r) => r.kind === 'task' && r.outcome === 'succeeded')).toBe(true);
    // The registrar still lists it (its list lags): the ledger's succeeded task under the Unicode name stops a second order.
    const second = await runAgainst(s);
    expect(s.orders).toHaveLength(1);
    expect(decisionsOf(second).find((d) => d.domain === PUNYCODE_NAME)).toMatchObject({ reason: 'already-redeemed' });
  });
});

/** Items no order may be placed on: each must become an invalid-listing decision. */
const UNUSABLE: ReadonlyArray<readonly [string, unknown, unknown]> = [
  ['an expiration beyond 2^53', 'beyond.com', '__RAW_BEYOND__'],
  ['a zero expiration', 'zero.com', 0],
  ['a negative expiration', 'negative.com', -86_400_000],
  ['a fractional expiration', 'fraction.com', dueExpiration('fraction.com') + 0.5],
  ['an expiration as words', 'words.com', 'soon'],
  ['a missing expiration', 'missing.com', null],
  ['an empty name', '', dueExpiration('x.com')],
  ['a blank name', '   ', dueExpiration('x.com')],
  ['a name with a space', 'exa mple.com', dueExpiration('x.com')],
  ['a name with a hyphen at a label edge', '-bad-.com', dueExpiration('x.com')],
  ['a name with an empty label', 'a..b.com', dueExpiration('x.com')],
  ['a single label', 'localhost', dueExpiration('x.com')],
  ['a name longer than 253 characters', `${['a', 'b', 'c', 'd', 'e'].map((c) => c.repeat(60)).join('.')}.com`, dueExpiration('x.com')],
  ['a label longer than 63 characters', `${'a'.repeat(64)}.com`, dueExpiration('x.com')],
  ['a name that is a number', 12345, dueExpiration('x.com')],
  ['a name that is null', null, dueExpiration('x.com')],
];

/** The list as raw JSON text, so that an integer beyond 2^53 reaches the client as the registrar wrote it. */
function rawListBody(items: ReadonlyArray<Record<string, unknown>>): string {
  const body = JSON.stringify(pageBody('QueryDomainList', items, { pageNum: 1, nextPage: false, totalPages: 1 }));
  return body.replace('"__RAW_BEYOND__"', '9007199254740993');
}

describe('finding 9: listing items that cannot be trusted are never ordered', () => {
  const items = [...UNUSABLE.map(([, name, expiration]) => domainItem(name, expiration)), due('good.com')];
  const script: StandinOptions['script'] = (call) => (call.action === 'QueryDomainList' ? { body: rawListBody(items) } : undefined);

  it('each becomes an invalid-listing decision naming the problem; only the good domain is ordered', async () => {
    const s = await start({ script });
    const run = await runAgainst(s);
    expect(run.summary.run.outcome).toBe('completed');
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'good.com': 1 });
    const invalid = decisionsOf(run).filter((d) => d.reason === 'invalid-listing');
    expect(invalid).toHaveLength(UNUSABLE.length);
    for (const d of invalid) expect(d).toMatchObject({ action: 'skip', outcome: 'skipped', error_message: expect.stringMatching(/DomainName|ExpirationDateLong/) });
  });

  it('the CLI table shows them without crashing ("Invalid time value") and exits 0', async () => {
    const s = await start({ script });
    const { code, stdout, stderr } = await finished(
      spawnCli(['run', '--mode', 'live', '--budget-seconds', '10'], {
        ...standinEnv(s),
        ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
      }),
    );
    expect(stderr).not.toMatch(/Invalid time value|RangeError|\n\s+at /);
    expect(code).toBe(0);
    for (const name of ['beyond.com', 'zero.com', 'negative.com', 'good.com']) expect(stdout).toContain(name);
    expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'good.com': 1 });
  });
});

describe('finding 9: one bad answer to a read is asked again', () => {
  const READS = ['QueryDomainList', 'QueryTaskList', 'QueryTaskDetailList'] as const;
  const ANSWERS = {
    malformed: { status: 200, body: '<html>gateway error</html>', headers: { 'content-type': 'text/html' } },
    'TaskIsBeingProcessed': { status: 400, body: { RequestId: 'BUSY', Code: 'TaskIsBeingProcessed', Message: 'An operation is being processed. Please try again later.' } },
  } as const;
  for (const action of READS) {
    for (const [kind, answer] of Object.entries(ANSWERS)) {
      it(`a ${kind} answer to the first ${action}: retried, the run completes and orders`, async () => {
        // A ledger task of another run makes the run read its details (QueryTaskDetailList) before ordering.
        const s = await start({
          domains: [due('retry.com')],
          tasks: [task('elsewhere.com', 2)],
          script: (call) => (call.action === action && call.n === 1 ? answer : undefined),
        });
        const { summary } = await runAgainst(s);
        expect(summary.run).toMatchObject({ outcome: 'completed' });
        expect(Object.fromEntries(s.submissionsPerDomain())).toEqual({ 'retry.com': 1 });
        expect(s.callsOf(action).length).toBeGreaterThanOrEqual(2);
      });
    }
  }
});
