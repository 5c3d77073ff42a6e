import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS } from '../../shared/run/deadline.js';
import { Ledger, canonicalName, entryState, parseRegistrarTime, type LedgerState } from '../../shared/run/ledger.js';
import { fakeClock } from '../support/fake-clock.js';
import { FakeDomainApi, registrarTime } from '../support/fake-domain-api.js';

/** Whole seconds: the registrar prints times to the second. */
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
/** How far the registrar's clock may be behind ours (REGISTRAR_CLOCK_SLACK_MS). */
const SLACK_MS = 15 * 60_000;
const UNICODE = '例子.中国';
/** node:url domainToASCII('例子.中国'), written out. */
const PUNYCODE = 'xn--fsqu00a.xn--fiqs8s';

function setup() {
  const clock = fakeClock(NOW);
  const api = new FakeDomainApi(clock.now);
  const ledger = new Ledger({ api, bounds: { deadlineMs: NOW + 60_000, now: clock.now } });
  const detailReads = () => api.callsOf('QueryTaskDetailList').map((c) => c.taskNo);
  return { clock, api, ledger, detailReads };
}

/** The read and, as a plan with a redemption would, the details of the finished tasks it left for later. */
async function readFully(ledger: Ledger): Promise<void> {
  await ledger.read(NOW, 7);
  await ledger.resolveFinished();
}

describe('parseRegistrarTime', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('reads both formats the registrar prints', () => {
    expect(parseRegistrarTime('2018-01-25 20:46:57')).toBe(Date.UTC(2018, 0, 25, 20, 46, 57));
    expect(parseRegistrarTime('2018-01-25T20:46:57')).toBe(Date.UTC(2018, 0, 25, 20, 46, 57));
    expect(parseRegistrarTime('Dec 26,2017 11:00:54')).toBe(Date.UTC(2017, 11, 26, 11, 0, 54));
    expect(parseRegistrarTime('Mar 6,2026 09:05:00')).toBe(Date.UTC(2026, 2, 6, 9, 5, 0));
    expect(parseRegistrarTime('Feb 29,2024 23:59:59')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59));
  });

  it('reads what may follow the seconds: a fraction, AM/PM as such, Z or an offset ahead of UTC (its wall time as UTC)', () => {
    expect(parseRegistrarTime('Dec 01,2026 01:30:00 PM')).toBe(Date.UTC(2026, 11, 1, 13, 30, 0));
    expect(parseRegistrarTime('2026-12-01 01:30:00 pm')).toBe(Date.UTC(2026, 11, 1, 13, 30, 0));
    expect(parseRegistrarTime('Dec 1,2026 12:05:00 AM')).toBe(Date.UTC(2026, 11, 1, 0, 5, 0));
    expect(parseRegistrarTime('Dec 1,2026 12:05:00 PM')).toBe(Date.UTC(2026, 11, 1, 12, 5, 0));
    expect(parseRegistrarTime('2018-01-25 20:46:57.0')).toBe(Date.UTC(2018, 0, 25, 20, 46, 57));
    expect(parseRegistrarTime('2018-01-25T20:46:57Z')).toBe(Date.UTC(2018, 0, 25, 20, 46, 57));
    expect(parseRegistrarTime('2018-01-25T20:46:57+08:00')).toBe(Date.UTC(2018, 0, 25, 20, 46, 57));
  });

  it.each(['2018-01-25 20:46:57-05:00', '2018-01-25 20:46:57 CST', 'Dec 01,2026 13:30:00 PM', 'Dec 01,2026 00:30:00 AM', '2018-01-25 20:46:57 and more'])(
    'trailing text it cannot read (%j) makes the time unreadable, never a time read from its first digits',
    (text) => {
      expect(parseRegistrarTime(text)).toBeUndefined();
    },
  );

  it('a time without a zone is UTC, whatever the zone of the process', () => {
    process.env.TZ = 'Asia/Shanghai';
    // The process really is at +08:00 now: a local-time reading would be 8 h off.
    expect(new Date(2018, 0, 25, 20, 46, 57).getTime()).toBe(Date.UTC(2018, 0, 25, 12, 46, 57));
    expect(parseRegistrarTime('2018-01-25 20:46:57')).toBe(Date.parse('2018-01-25T20:46:57Z'));
    expect(parseRegistrarTime('Dec 26,2017 11:00:54')).toBe(Date.parse('2017-12-26T11:00:54Z'));
  });

  it.each([
    '',
    null,
    undefined,
    'yesterday',
    '2018/01/25 20:46:57',
    '25-01-2018 20:46:57',
    '2018-01-25',
    'Foo 26,2017 11:00:54',
    'dec 26,2017 11:00:54',
    'Dec 26 2017 11:00:54',
    // Fields out of range are junk too, not rolled over into another day (an earlier one would under-count the daily cap).
    '2026-00-15 10:00:00',
    '2026-13-01 10:00:00',
    '2026-02-30 10:00:00',
    '2026-01-00 10:00:00',
    '2026-01-15 24:00:00',
    '2026-01-15 10:60:00',
    '2026-01-15 10:00:61',
    'Feb 30,2026 10:00:00',
    'Feb 29,2025 10:00:00',
    'Jan 0,2026 10:00:00',
  ])('junk %j is undefined (and counts as recent)', (text) => {
    expect(parseRegistrarTime(text)).toBeUndefined();
  });
});

describe('entryState', () => {
  it.each([
    [0, 'in-flight'],
    [1, 'in-flight'],
    [2, 'succeeded'],
    [3, 'failed'],
    // Undocumented codes: never order on a task we cannot read.
    [4, 'in-flight'],
    [-1, 'in-flight'],
    [99, 'in-flight'],
  ] as const)('TaskStatusCode %i is %s', (TaskStatusCode, state) => {
    expect(entryState({ TaskStatusCode })).toBe(state);
  });
});

describe('canonicalName', () => {
  it('a host name in its punycode form; anything else lower-cased as it is', () => {
    expect(canonicalName(` ${UNICODE}. `)).toBe(PUNYCODE);
    expect(canonicalName('Example.COM')).toBe('example.com');
    expect(canonicalName(' Not A Name ')).toBe('not a name');
  });

  it('a task detail whose name carries URL parts still holds the host it names (the ledger errs towards holding)', () => {
    expect(canonicalName('Example.com/')).toBe('example.com');
    expect(canonicalName('example.com?x')).toBe('example.com');
  });
});

describe('Ledger: reading the registrar', () => {
  it('a fresh look whose TotalItemNum is the last look plus this run\'s orders reads one page; another run\'s order makes it read them all', async () => {
    const { api, ledger } = setup();
    // A registrar that lists newest first (the fake lists in insertion order: each new task goes on top).
    const newestFirst = () => api.tasks.sort((a, b) => b.createdMs - a.createdMs);
    for (let i = 0; i < 150; i++) api.addTask({ domains: [`d${i}.com`], statusCode: 2, createdMs: NOW - 3_600_000 - i * 1000 });
    newestFirst();
    const listCalls = () => api.callsOf('QueryTaskList').length;
    await ledger.refresh(NOW);
    expect(listCalls()).toBe(2); // the first look reads both pages and sets the baseline
    const ours = api.addTask({ domains: ['ours.com'], statusCode: 0 });
    newestFirst();
    ledger.noteMine(undefined, NOW, 'ours.com');
    ledger.claimUnseen(ours.taskNo, NOW, 'ours.com');
    await ledger.refresh(NOW);
    expect(listCalls()).toBe(3); // 151 = 150 + our one, and page 1 reaches back before the last look: nothing else to read
    api.addTask({ domains: ['theirs.com'], statusCode: 0 });
    newestFirst();
    await ledger.refresh(NOW);
    expect(listCalls()).toBe(5); // 152: someone else ordered; every page is read again
    expect(ledger.entryFor('theirs.com')).toMatchObject({ state: 'in-flight' });
  });

  it('read leaves the details of finished tasks for later, counting them by TaskNum; resolveFinished reads them', async () => {
    const { api, ledger, detailReads } = setup();
    const waiting = api.addTask({ domains: ['a.com'], statusCode: 1, createdMs: NOW - 3_600_000 });
    const done = api.addTask({ domains: ['b.com', 'c.com'], statusCode: 2, createdMs: NOW - 3_600_000 });
    await ledger.read(NOW, 7);
    expect(detailReads()).toEqual([waiting.taskNo]);
    expect(ledger.entryFor('b.com')).toBeUndefined();
    expect(ledger.hasUnresolved).toBe(true);
    expect(ledger.orderedLast24h(NOW)).toBe(3);
    await ledger.resolveFinished();
    expect(detailReads()).toEqual([waiting.taskNo, done.taskNo]);
    expect(ledger.entryFor('b.com')).toMatchObject({ taskNo: done.taskNo, state: 'succeeded' });
    expect(ledger.ordersLast24h(NOW).sort()).toEqual(['a.com', 'b.com', 'c.com']);
    expect(ledger.hasUnresolved).toBe(false);
  });

  it('read learns the redeem tasks of the window and their details, one detail read per task', async () => {
    const { api, ledger, detailReads } = setup();
    const renew = api.addTask({ domains: ['renew.com'], taskType: 'ORDER_RENEW' });
    const waiting = api.addTask({ domains: ['a.com'], statusCode: 1, createdMs: NOW - 3_600_000 });
    const done = api.addTask({ domains: ['b.com'], statusCode: 2, createdMs: NOW - 2 * DAY_MS });
    api.addTask({ domains: ['old.com'], statusCode: 1, createdMs: NOW - 8 * DAY_MS });

    await readFully(ledger);

    expect(api.callsOf('QueryTaskList')).toHaveLength(1);
    expect(detailReads()).toEqual([waiting.taskNo, done.taskNo]);
    expect(ledger.entryFor('a.com')).toEqual({ taskNo: waiting.taskNo, state: 'in-flight', createdMs: NOW - 3_600_000 });
    expect(ledger.entryFor('b.com')).toEqual({ taskNo: done.taskNo, state: 'succeeded', createdMs: NOW - 2 * DAY_MS });
    expect(ledger.entryFor('renew.com')).toBeUndefined();
    expect(ledger.entryFor('old.com')).toBeUndefined();
    expect(ledger.hasTask(renew.taskNo)).toBe(false);
    expect(ledger.hasTask(done.taskNo)).toBe(true);
  });

  it('refresh learns only the tasks that appeared since, and reads details for those alone', async () => {
    const { clock, api, ledger, detailReads } = setup();
    const first = api.addTask({ domains: ['a.com'] });
    await readFully(ledger);
    expect(detailReads()).toEqual([first.taskNo]);

    clock.advance(5_000);
    const other = api.addTask({ domains: ['c.com', 'd.com'], statusCode: 1 });
    const learnt = await ledger.refresh(clock.now());
    expect(learnt.map((d) => [d.TaskNo, d.DomainName])).toEqual([
      [other.taskNo, 'c.com'],
      [other.taskNo, 'd.com'],
    ]);
    expect(detailReads()).toEqual([first.taskNo, other.taskNo]);
    expect(ledger.entryFor('d.com')?.state).toBe('in-flight');

    // Nothing new: one list call, no detail call, nothing learnt.
    expect(await ledger.refresh(clock.now())).toEqual([]);
    expect(api.callsOf('QueryTaskList')).toHaveLength(3);
    expect(detailReads()).toHaveLength(2);
  });

  it("the run's own task, noted with noteMine, costs no detail call and is counted once", async () => {
    const { clock, api, ledger, detailReads } = setup();
    await readFully(ledger);
    const saved = await api.saveSingleTaskForCreatingOrderRedeem({ domainName: 'mine.com', currentExpirationDate: NOW - 40 * DAY_MS });
    ledger.noteMine(saved.taskNo, clock.now(), 'mine.com');
    // Counted before the ledger shows it...
    expect(ledger.ordersLast24h(clock.now())).toEqual(['mine.com']);
    expect(ledger.isMine(saved.taskNo)).toBe(true);

    clock.advance(1_000);
    expect(await ledger.refresh(clock.now())).toEqual([]);
    // ...and once after.
    expect(detailReads()).toEqual([]);
    expect(ledger.hasTask(saved.taskNo)).toBe(true);
    expect(ledger.ordersLast24h(clock.now())).toEqual(['mine.com']);
  });

  it('an order whose outcome is unknown counts against the cap until it is found, then once', async () => {
    const { clock, api, ledger } = setup();
    await readFully(ledger);
    ledger.noteMine(undefined, clock.now(), 'unknown.com');
    expect(ledger.ordersLast24h(clock.now())).toEqual(['unknown.com']);

    const created = api.accept({ domainName: 'unknown.com', currentExpirationDate: NOW - 40 * DAY_MS });
    const learnt = await ledger.refresh(clock.now());
    expect(learnt.map((d) => d.TaskNo)).toEqual([created.taskNo]);
    ledger.claimUnseen(created.taskNo, clock.now(), 'unknown.com');
    expect(ledger.ordersLast24h(clock.now())).toEqual(['unknown.com']);
    expect(ledger.isMine(created.taskNo)).toBe(true);
  });
});

describe('Ledger: open renewal and registration orders (ORDER_RENEW, ORDER_ACTIVATE) take money too', () => {
  it('an open one is an unsettled order against the balance, by the domain its details name; it holds no domain and counts on no cap', async () => {
    const { api, ledger } = setup();
    api.addTask({ domains: ['renewing.com'], taskType: 'ORDER_RENEW', statusCode: 1, createdMs: NOW - 3_600_000 });
    api.addTask({ domains: ['new.net', 'other.org'], taskType: 'ORDER_ACTIVATE', statusCode: 0, createdMs: NOW - 3_600_000 });
    // Finished before the run: its price is in the balance read.
    api.addTask({ domains: ['renewed.com'], taskType: 'ORDER_RENEW', statusCode: 2, createdMs: NOW - 3_600_000 });
    await ledger.read(NOW, 7);
    await ledger.resolvePurchases();
    expect(ledger.unsettledOrders().sort()).toEqual(['new.net', 'other.org', 'renewing.com']);
    expect(ledger.entryFor('renewing.com')).toBeUndefined();
    expect(ledger.orderedLast24h(NOW)).toBe(0);
    expect(ledger.ordersLast24h(NOW, { spentOnly: true })).toEqual([]);
  });

  it('before its details are read (or when they cannot be): one unnamed order per TaskNum', async () => {
    const { api, ledger } = setup();
    api.addTask({ domains: ['a.com', 'b.com'], taskType: 'ORDER_RENEW', statusCode: 1 });
    await ledger.read(NOW, 7);
    expect(ledger.unsettledOrders()).toEqual(['', '']);
  });
});

describe('Ledger: the orders of the last 24 hours', () => {
  it('counts what was created after now - 24 h, not at it (by the registrar\'s clock, which may be 15 minutes behind ours)', async () => {
    const { api, ledger } = setup();
    // The registrar's CreateTime may be up to 15 minutes behind ours: the edge is 24 h 15 min before now.
    api.addTask({ domains: ['edge.com'], createdMs: NOW - DAY_MS - SLACK_MS });
    api.addTask({ domains: ['inside.com'], createdMs: NOW - DAY_MS - SLACK_MS + 1_000 });
    api.addTask({ domains: ['older.com'], createdMs: NOW - 2 * DAY_MS });
    api.addTask({ domains: ['now.com'], createdMs: NOW });
    await readFully(ledger);
    expect(ledger.ordersLast24h(NOW).sort()).toEqual(['inside.com', 'now.com']);
    expect(ledger.orderedLast24h(NOW)).toBe(2);
    // A second later the inside one is out too.
    expect(ledger.ordersLast24h(NOW + 1_000)).toEqual(['now.com']);
  });

  it("a listed task counts on the day's cap and spend until 24 h 15 min after its CreateTime: the registrar's clock may be 15 minutes behind ours", async () => {
    const { api, ledger } = setup();
    // Dated 24 h 10 min ago by the registrar's clock, it may have been created 23 h 55 min ago by ours.
    api.addTask({ domains: ['slack.com'], createdMs: NOW - DAY_MS - 10 * 60_000 });
    api.addTask({ domains: ['gone.com'], createdMs: NOW - DAY_MS - 15 * 60_000 });
    await readFully(ledger);
    expect(ledger.ordersLast24h(NOW)).toEqual(['slack.com']);
    expect(ledger.ordersLast24h(NOW, { spentOnly: true })).toEqual(['slack.com']);
    // Its slot frees 24 h 15 min after its CreateTime, five minutes from now.
    expect(ledger.dayCapFreesAt(NOW, 1)).toBe(NOW + 5 * 60_000);
    expect(ledger.ordersLast24h(NOW + 5 * 60_000 - 1_000)).toEqual(['slack.com']);
    expect(ledger.ordersLast24h(NOW + 5 * 60_000)).toEqual([]);
  });

  it("a detail's own time is used before its task's; an unreadable time counts as recent", async () => {
    const { api, ledger } = setup();
    // Both times unreadable: recent, although the task is three days old.
    api.addTask({ domains: [{ domainName: 'unreadable.com', createTime: 'soon' }], createdMs: NOW - 3 * DAY_MS, createTime: null });
    // The detail's time is unreadable, the task's is old: old.
    api.addTask({ domains: [{ domainName: 'task-time.com', createTime: null }], createdMs: NOW - 3 * DAY_MS });
    // The detail says recent although its task says old.
    api.addTask({ domains: [{ domainName: 'detail-time.com', createTime: registrarTime(NOW - 60_000) }], createdMs: NOW - 3 * DAY_MS });
    await readFully(ledger);
    expect(ledger.ordersLast24h(NOW).sort()).toEqual(['detail-time.com', 'unreadable.com']);
    expect(ledger.entryFor('unreadable.com')).toMatchObject({ createdMs: undefined });
  });

  it('an impossible create time (day 0 of the month) is not rolled back out of the window: it counts', async () => {
    const { api, ledger } = setup();
    // Read as Date.UTC would roll it, "2026-12-00 12:00:00" is Nov 30 12:00, 25 h before NOW: not counted.
    api.addTask({ domains: [{ domainName: 'day-zero.com', createTime: '2026-12-00 12:00:00' }], createTime: 'Dec 0,2026 12:00:00' });
    await readFully(ledger);
    expect(ledger.ordersLast24h(NOW)).toEqual(['day-zero.com']);
  });

  it('a task whose details are missing counts TaskNum orders (1 when unsaid, 1,000 at most)', async () => {
    const { api, ledger } = setup();
    api.addTask({ domains: [], taskNum: 3 });
    api.addTask({ domains: [] });
    api.addTask({ domains: [], taskNum: undefined });
    api.addTask({ domains: [], taskNum: 5_000 });
    api.addTask({ domains: ['named.com'], taskNum: 2 });
    await readFully(ledger);
    const names = ledger.ordersLast24h(NOW);
    // 3 + 1 (TaskNum 0) + 1 (unsaid) + 1,000 + 2.
    expect(names).toHaveLength(1_007);
    expect(names.filter((n) => n !== '')).toEqual(['named.com']);
    // An old task without details is old all the same.
    const old = setup();
    old.api.addTask({ domains: [], taskNum: 4, createdMs: NOW - 2 * DAY_MS });
    await readFully(old.ledger);
    expect(old.ledger.orderedLast24h(NOW)).toBe(0);
  });

  it("this run's orders the ledger does not show yet count beside every other run's", async () => {
    const { api, ledger } = setup();
    api.addTask({ domains: ['other.com'] });
    await readFully(ledger);
    ledger.noteMine('T-not-listed', NOW, 'mine.com');
    ledger.noteMine(undefined, NOW, 'unknown.com');
    expect(ledger.ordersLast24h(NOW).sort()).toEqual(['mine.com', 'other.com', 'unknown.com']);
    expect(ledger.orderedLast24h(NOW)).toBe(3);
  });
});

describe('Ledger: one domain, one entry', () => {
  it('the Unicode name and its punycode form, in any case, are the same domain', async () => {
    const { api, ledger } = setup();
    const failed = api.addTask({ domains: [UNICODE], statusCode: 3, createdMs: NOW - 2_000 });
    const waiting = api.addTask({ domains: ['XN--FSQU00A.xn--FIQS8S'], statusCode: 0, createdMs: NOW - 1_000 });
    await readFully(ledger);
    expect(ledger.entryFor(PUNYCODE)).toMatchObject({ taskNo: waiting.taskNo, state: 'in-flight' });
    expect(ledger.entryFor(UNICODE)).toBeUndefined();
    expect(ledger.ordersLast24h(NOW)).toEqual([PUNYCODE, PUNYCODE]);
    expect(failed.taskNo).not.toBe(waiting.taskNo);
  });

  const orders: Array<[LedgerState[], LedgerState]> = [
    [['failed', 'succeeded', 'in-flight'], 'in-flight'],
    [['in-flight', 'succeeded', 'failed'], 'in-flight'],
    [['succeeded', 'in-flight'], 'in-flight'],
    [['failed', 'succeeded'], 'succeeded'],
    [['succeeded', 'failed'], 'succeeded'],
    [['failed'], 'failed'],
  ];
  it.each(orders)('tasks %j: the entry is %s (in-flight > succeeded > failed, whatever the order)', async (states, expected) => {
    const { api, ledger } = setup();
    const code: Record<LedgerState, number> = { 'in-flight': 1, succeeded: 2, failed: 3 };
    const tasks = states.map((state, i) => api.addTask({ domains: ['same.com'], statusCode: code[state], createdMs: NOW - (10 - i) * 1_000 }));
    await readFully(ledger);
    const winner = tasks[states.indexOf(expected)]!;
    expect(ledger.entryFor('same.com')).toMatchObject({ state: expected, taskNo: winner.taskNo });
  });

  it('of two tasks in the same state, the one learnt last is the entry', async () => {
    const { api, ledger } = setup();
    api.addTask({ domains: ['same.com'], statusCode: 3, createdMs: NOW - 2_000 });
    const later = api.addTask({ domains: ['same.com'], statusCode: 3, createdMs: NOW - 1_000 });
    await readFully(ledger);
    expect(ledger.entryFor('same.com')?.taskNo).toBe(later.taskNo);
  });

  it("a follow-up's update replaces the entry whatever its state", async () => {
    const { api, ledger } = setup();
    const task = api.addTask({ domains: ['same.com'], statusCode: 1 });
    await readFully(ledger);
    ledger.update('same.com', { taskNo: task.taskNo, state: 'failed', createdMs: undefined });
    expect(ledger.entryFor('same.com')).toEqual({ taskNo: task.taskNo, state: 'failed', createdMs: undefined });
  });
});
