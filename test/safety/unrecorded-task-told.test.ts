/**
 * A redemption task the registrar's ledger shows that no record names: a run killed (SIGKILL after the
 * SIGTERM grace) sent its orders and had them answered, but none of its records reached the results
 * logstore (the run does not wait for SLS before an order: README, Safety model), and nothing else kept
 * them. The next runs find the tasks succeeded and skip the domains as already redeemed: two redemption
 * fees, and no message ever named the orders (fuzz seed 9287). The stand-in holds such a task from the
 * start: no record of any run names it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsCall, type SlsScripted, type SlsStandin } from '../support/sls-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { quickClock, runInProcess } from './harness.js';
import { dueExpiration, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const inbox = inboxPerTest();
const HOUR_MS = 3_600_000;

describe('a redemption task of the last 24 h that no record claims', () => {
  let sls: SlsStandin | undefined;
  afterEach(async () => {
    await sls?.close();
    sls = undefined;
  });

  const setUp = async (name: string, taskNo: string, script?: (call: SlsCall) => SlsScripted | undefined, extra: Record<string, string> = {}, listed = true, registrarScript?: (call: StandinCall, standin: RegistrarStandin) => Scripted | undefined) => {
    sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), ...(script ? { script } : {}) });
    const s = await start({ domains: listed ? [domainItem(name, dueExpiration(name))] : [], tasks: [{ taskNo, domainName: name, statusCode: 2, createdMs: Date.now() - HOUR_MS }], ...(registrarScript ? { script: registrarScript } : {}) });
    const box = await inbox();
    const env = liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32), ...extra });
    const run = () => runInProcess(env, { clock: quickClock, followIntervalMs: 10 });
    const earlier = () => box.bodies.map((b) => (b.earlier_orders ?? []) as Array<Record<string, unknown>>);
    return { s, run, earlier };
  };

  it('is told once, with its task number and domain, as ordered by a run that left no record', async () => {
    const { s, run, earlier } = await setUp('ghost.com', 'T-GHOST-1');
    await run();
    expect(s.orders, 'nothing ordered: the task redeemed it').toHaveLength(0);
    expect(earlier()[0], 'earlier_orders of the first run').toEqual([{ domain: 'ghost.com', task_no: 'T-GHOST-1' }]);
    await run();
    expect(earlier()[1] ?? [], 'earlier_orders of the second run (told once)').toEqual([]);
  }, 30_000);

  it('is not told again by a fresh process: the telling run record names it (told_runs)', async () => {
    const { run, earlier } = await setUp('ghost2.com', 'T-GHOST-2');
    sls!.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'other', time: Math.floor(Date.now() / 1000) - 600, contents: Object.entries({ kind: 'run', outcome: 'completed', mode: 'live', run_id: 'teller', notify: 'quiet', told_runs: 'task:T-GHOST-2' }), request: 1 });
    await run();
    expect(earlier().flat()).toEqual([]);
  }, 30_000);

  it('is not called unrecorded when the logstore read-back could not be read', async () => {
    const refuse = (call: SlsCall): SlsScripted | undefined => (call.api === 'GetLogs' ? { status: 403, errorCode: 'Unauthorized', errorMessage: 'denied' } : undefined);
    const { run, earlier } = await setUp('ghost3.com', 'T-GHOST-3', refuse);
    await run();
    expect(earlier().flat()).toEqual([]);
  }, 30_000);

  it('is not told as ours when its domain is outside REDEEM_DOMAINS (another deployment in a shared account)', async () => {
    const { run, earlier } = await setUp('theirs.com', 'T-THEIRS', undefined, { REDEEM_DOMAINS: 'mine.com' });
    await run();
    expect(earlier().flat()).toEqual([]);
  }, 30_000);

  it('claimed by a record (a decision line of a run that never reported) is told by that run, not again as unrecorded', async () => {
    const { run, earlier } = await setUp('claimed.com', 'T-CLAIMED');
    sls!.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'other', time: Math.floor(Date.now() / 1000) - 3000, contents: Object.entries({ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'claimed.com', task_no: 'T-CLAIMED', run_id: 'killed-run' }), request: 1 });
    await run();
    expect(earlier().flat()).toEqual([{ domain: 'claimed.com', task_no: 'T-CLAIMED', run_id: 'killed-run' }]);
  }, 30_000);

  it('is told when its domain, redeemed, has left the redemption list (no plan reads its details)', async () => {
    const { s, run, earlier } = await setUp('gone.com', 'T-GONE', undefined, {}, false);
    await run();
    expect(s.orders).toHaveLength(0);
    expect(earlier().flat()).toEqual([{ domain: 'gone.com', task_no: 'T-GONE' }]);
  }, 30_000);

  // The task list's CreateTime unreadable or left out, its details dated an hour ago: nothing says it is older than the day.
  it.each([
    ['unreadable', 'not a date'],
    ['missing', undefined],
  ])('is told when the task list gives its CreateTime %s (its details date it)', async (what, createTime) => {
    const listedWith = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
      if (call.action !== 'QueryTaskList') return undefined;
      const answer = standin.defaultAnswer(call) as { body: { Data?: { TaskInfo?: Array<Record<string, unknown>> } } };
      for (const item of answer.body.Data?.TaskInfo ?? []) {
        if (createTime === undefined) delete item.CreateTime;
        else item.CreateTime = createTime;
      }
      return answer as Scripted;
    };
    const { run, earlier } = await setUp('undated.com', `T-UNDATED-${what}`, undefined, {}, false, listedWith);
    await run();
    await run();
    expect(earlier().flat()).toEqual([{ domain: 'undated.com', task_no: `T-UNDATED-${what}` }]);
  }, 30_000);

  it.each([
    ['an order of a run that told it', [{ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'named.com', task_no: 'T-NAMED', run_id: 'earlier' }, { kind: 'run', outcome: 'completed', mode: 'live', run_id: 'earlier', notify: 'sent', notify_webhook: 'ok' }]],
    ['a run that told it as unrecorded (told_runs)', [{ kind: 'run', outcome: 'completed', mode: 'live', run_id: 'teller', notify: 'quiet', told_runs: 'task:T-NAMED' }]],
  ])('costs no detail read once a record names it: %s', async (_, rows) => {
    const { s, run, earlier } = await setUp('named.com', 'T-NAMED', undefined, {}, false);
    for (const [i, contents] of rows.entries()) sls!.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'other', time: Math.floor(Date.now() / 1000) - 3000 + i, contents: Object.entries(contents), request: 1 });
    await run();
    expect(s.callsOf('QueryTaskDetailList'), 'no details read for a task a record names').toEqual([]);
    expect(earlier().flat()).toEqual([]);
  }, 30_000);

  // What the run could not do is said: a person hears that an order may have gone untold, and it is told later.
  it('whose details cannot be read is said under read problems, and told by a later run', async () => {
    const failing = { on: true };
    const refuse = (call: StandinCall): Scripted | undefined => (failing.on && call.action === 'QueryTaskDetailList' ? { status: 500, body: { RequestId: 'r', Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.' } } : undefined);
    const { run, earlier } = await setUp('unread.com', 'T-UNREAD', undefined, {}, false, refuse);
    const first = await run();
    expect(first.summary.run.outcome).toBe('completed');
    expect(String(first.summary.run.read_problems)).toMatch(/no record names.*could not be read/);
    expect(earlier().flat()).toEqual([]);
    failing.on = false;
    await run();
    expect(earlier().flat()).toEqual([{ domain: 'unread.com', task_no: 'T-UNREAD' }]);
  }, 30_000);
});
