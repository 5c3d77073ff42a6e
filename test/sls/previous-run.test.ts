/**
 * "A channel failed on the previous run's message" is read back from the results logstore (GetLogs v1,
 * `kind: run and notify: sent`, the newest line). Against the SLS stand-in, which checks the GetLogs
 * signature over its decoded, key-sorted query: a true failure is told; an odd answer (progress
 * incomplete, empty, malformed, huge, wrong types, refused, never answered) tells nothing false and
 * never holds the run past the read's own bound.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../safety/harness.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsCall, type SlsScripted, type SlsStandin, type StoredLog, liveRunWithSls } from '../support/sls-standin.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { inboxPerTest } from '../support/webhook-inbox.js';

const DAY = 86_400_000;
let sls: SlsStandin;
let registrar: RegistrarStandin;
let getLogsAnswer: ((n: number) => SlsScripted | undefined) | undefined;
let everyGetLogsHangs = false;
let ordersReadAnswer: SlsScripted | undefined;
/** Answers for the next reads of the day's orders, one each, before ordersReadAnswer. */
let ordersReadAnswersOnce: SlsScripted[] = [];
const openInbox = inboxPerTest();

beforeAll(async () => {
  // Scripted: only the read of the previous run's message (the run also reads the day's orders back).
  sls = await startSlsStandin({
    keys: keysFor(EMULATOR_CREDENTIALS),
    script: (call) =>
      isPreviousRunRead(call) ? getLogsAnswer?.(previousRunReads().length) : call.api === 'GetLogs' && everyGetLogsHangs ? 'hang' : isOrdersRead(call) ? (ordersReadAnswersOnce.shift() ?? ordersReadAnswer) : undefined,
  });
  registrar = await startStandin({ domains: [domainItem('alpha.com', Date.now() - 55 * DAY)] });
});
afterAll(async () => {
  await sls.close();
  await registrar.close();
});
beforeEach(() => {
  getLogsAnswer = undefined;
  everyGetLogsHangs = false;
  ordersReadAnswer = undefined;
  ordersReadAnswersOnce = [];
  sls.reset();
  registrar.tasks.length = 0;
});

function isPreviousRunRead(call: SlsCall): boolean {
  return call.api === 'GetLogs' && (call.query.query ?? '').includes('notify: sent');
}
function isOrdersRead(call: SlsCall): boolean {
  return call.api === 'GetLogs' && (call.query.query ?? '').startsWith('kind: decision');
}
function previousRunReads(): SlsCall[] {
  return sls.callsOf('GetLogs').filter(isPreviousRunRead);
}

/** A previous run's record as the function wrote it, `ago` seconds ago. */
function previousRun(runId: string, webhook: 'ok' | 'failed' | 'unknown', agoSeconds: number): StoredLog {
  const contents: Array<[string, string]> = [
    ['kind', 'run'],
    ['run_id', runId],
    ['outcome', 'completed'],
    ['notify', 'sent'],
    ['notify_webhook', webhook],
    ...(webhook === 'failed' ? ([['notify_webhook_code', 'HTTP500']] as Array<[string, string]>) : []),
    ...(webhook === 'unknown' ? ([['notify_webhook_code', 'Timeout'], ['notify_webhook_error', 'no complete answer within 9000 ms after the whole message was sent: it may have been posted']] as Array<[string, string]>) : []),
  ];
  return { project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'fc', time: Math.floor(Date.now() / 1000) - agoSeconds, contents, request: 0 };
}

/** One live run that orders alpha.com (so a message goes out); answers what the message said of delivery, and the run's time. */
async function run(): Promise<{ problems: string[]; notRead: string[]; ms: number }> {
  const inbox = await openInbox();
  const started = Date.now();
  await runInProcess(liveRunWithSls(registrar.url, sls.url, { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'webhook-signing-secret-0123456789' }));
  const ms = Date.now() - started;
  expect(inbox.bodies).toHaveLength(1);
  const body = inbox.bodies[0]!.run as { delivery_problems: string[]; read_problems: string[] };
  return { problems: body.delivery_problems, notRead: body.read_problems, ms };
}

describe('the previous run read back', () => {
  it('a channel that failed on the previous run is told, with that run and the code', async () => {
    sls.logs.push(previousRun('prev-older', 'ok', 7200), previousRun('prev-newest', 'failed', 3600));
    const { problems } = await run();
    expect(previousRunReads().map((c) => c.verdict)).toEqual(['ok']);
    expect(problems).toEqual(['webhook failed on the previous run\'s message (run prev-newest, HTTP500)']);
  });

  it('a channel that got no answer to the previous run\'s message (unknown: sent whole, maybe posted) is told as such, not as a failure', async () => {
    sls.logs.push(previousRun('prev-slow', 'unknown', 3600));
    const { problems } = await run();
    expect(problems).toEqual(["webhook got no answer it could read to the previous run's message, which may not have reached you (run prev-slow, Timeout): no complete answer within 9000 ms after the whole message was sent: it may have been posted"]);
  });

  it('x-log-progress: Incomplete is not the newest line: asked again (as the docs say) and the complete answer is believed', async () => {
    // The logstore still scanning: its partial answer holds an older run's failure; the newest run was fine.
    sls.logs.push(previousRun('prev-older', 'failed', 7200), previousRun('prev-newest', 'ok', 3600));
    getLogsAnswer = (n) => (n === 1 ? { getLogs: [{ __time__: '1', ...Object.fromEntries(previousRun('prev-older', 'failed', 7200).contents) }], headers: { 'x-log-progress': 'Incomplete', 'x-log-count': '1' } } : undefined);
    const { problems } = await run();
    expect(problems.filter((p) => p.includes('previous run'))).toEqual([]);
  });

  it('a logstore that stays Incomplete: nothing is told, and the read stays within its bound', async () => {
    getLogsAnswer = () => ({ getLogs: [{ __time__: '1', ...Object.fromEntries(previousRun('prev-older', 'failed', 7200).contents) }], headers: { 'x-log-progress': 'Incomplete' } });
    const { problems, ms } = await run();
    expect(problems.filter((p) => p.includes('previous run'))).toEqual([]);
    expect(ms).toBeLessThan(4_000);
  });

  const failedRow = { __time__: '1', kind: 'run', notify: 'sent', run_id: 'prev' };
  it.each<[string, SlsScripted]>([
    ['an empty answer', { getLogs: [] }],
    ['not JSON', { getLogs: '<html>502 Bad Gateway</html>', raw: true }],
    ['a JSON object, not an array', { getLogs: { progress: 'Complete', count: 1, logs: [{ ...failedRow, notify_webhook: 'failed' }] } }],
    ['a row that is a string', { getLogs: ['notify_webhook=failed'] }],
    ['a row that is null', { getLogs: [null] }],
    ['wrong types: a number', { getLogs: [{ ...failedRow, notify_webhook: 1 }] }],
    ['wrong types: an array', { getLogs: [{ ...failedRow, notify_webhook: ['failed'] }] }],
    ['wrong types: an object', { getLogs: [{ ...failedRow, notify_webhook: { value: 'failed' } }] }],
    ['refused: Unauthorized', { status: 401, errorCode: 'Unauthorized', errorMessage: 'denied by RAM: log:GetLogStoreLogs' }],
    ['refused: ReadQuotaExceed', { status: 403, errorCode: 'ReadQuotaExceed', errorMessage: 'Read Quota Exceed' }],
    ['no index', { status: 400, errorCode: 'IndexConfigNotExist', errorMessage: 'logstore without index config' }],
    ['a server fault', { status: 500, errorCode: 'InternalServerError', errorMessage: 'internal' }],
    ['never answered', 'hang'],
    ['a dropped connection', 'store-then-drop'],
  ])('%s: nothing is told of a previous run, and the run is not held past the read\'s bound', async (_name, answer) => {
    getLogsAnswer = () => answer;
    const { problems, ms } = await run();
    expect(problems.filter((p) => p.includes('previous run'))).toEqual([]);
    expect(previousRunReads().length).toBeLessThanOrEqual(3);
    expect(ms).toBeLessThan(4_000);
  });

  it('a logstore whose every GetLogs hangs holds the run for at most its two reads\' bounds (the day\'s orders, the previous run: 2 s each)', async () => {
    getLogsAnswer = () => 'hang';
    everyGetLogsHangs = true;
    const { problems, ms } = await run();
    expect(problems.filter((p) => p.includes('previous run'))).toEqual([]);
    expect(sls.callsOf('GetLogs').filter((c) => !isPreviousRunRead(c)).length).toBeGreaterThan(0);
    expect(ms).toBeLessThan(6_000);
  });

  it('a huge answer (6 MB) is cut off unread, within the bound', async () => {
    getLogsAnswer = () => ({ getLogs: [{ ...failedRow, notify_webhook: 'failed', pad: 'x'.repeat(6 * 1024 * 1024) }] });
    const { problems, ms } = await run();
    expect(problems.filter((p) => p.includes('previous run'))).toEqual([]);
    expect(ms).toBeLessThan(4_000);
  });

  it('huge values in the row: told, and the line stays short', async () => {
    getLogsAnswer = () => ({ getLogs: [{ ...failedRow, run_id: 'r'.repeat(100_000), notify_webhook: 'failed', notify_webhook_code: 'c'.repeat(100_000) }] });
    const { problems } = await run();
    const told = problems.filter((p) => p.includes('previous run'));
    expect(told).toHaveLength(1);
    // The report's bound on a delivery problem, which leaves room for notify_<channel>_error (what to fix).
    expect(told[0]!.length).toBeLessThanOrEqual(400);
  });
});

describe('the day\'s orders read back (what holds another instance\'s orders the registrar does not list yet)', () => {
  it.each<[string, SlsScripted, RegExp]>([
    ['no index', { status: 400, errorCode: 'IndexConfigNotExist', errorMessage: 'logstore without index config' }, /IndexConfigNotExist/],
    ['refused', { status: 401, errorCode: 'Unauthorized', errorMessage: 'denied by RAM: log:GetLogStoreLogs' }, /Unauthorized/],
    ['never answered', 'hang', /no answer|in time|timed out|deadline/i],
  ])('%s: the message says, under "Not read", that the day\'s orders could not be read back, and what to fix', async (_name, answer, why) => {
    ordersReadAnswer = answer;
    const { notRead } = await run();
    const said = notRead.filter((p) => p.includes('orders'));
    expect(said, JSON.stringify(notRead)).toHaveLength(1);
    expect(said[0]).toMatch(why);
    expect(said[0]).toMatch(/redeemer doctor/);
  });

  it('an empty answer is no problem: nothing is said', async () => {
    const { notRead } = await run();
    expect(notRead).toEqual([]);
  });

  // Another instance ordered alpha.com a minute ago; the registrar does not list that task yet. SLS answers
  // 500 InternalServerError and 503 ServerBusy when it is its own fault, and asks for the request again.
  it.each<[string, SlsScripted]>([
    ['a server fault (500 InternalServerError)', { status: 500, errorCode: 'InternalServerError', errorMessage: 'internal' }],
    ['ServerBusy (503)', { status: 503, errorCode: 'ServerBusy', errorMessage: 'server busy' }],
  ])('%s once: asked again, the other instance\'s order holds its domain, and nothing is said', async (_name, fault) => {
    const sentSeconds = Math.floor(Date.now() / 1000) - 60;
    const contents: Array<[string, string]> = [['kind', 'decision'], ['action', 'redeem'], ['mode', 'live'], ['domain', 'alpha.com'], ['task_no', 'T-OTHER-INSTANCE'], ['outcome', 'submitted'], ['run_id', 'other-instance-run']];
    sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'fc', time: sentSeconds, contents, request: 0 });
    ordersReadAnswersOnce = [fault];
    const { notRead } = await run();
    expect(sls.callsOf('GetLogs').filter(isOrdersRead).length).toBeGreaterThanOrEqual(2);
    expect(notRead).toEqual([]);
    expect(registrar.tasks).toEqual([]);
  });
});
