/**
 * Finding 5: a live CLI run killed (SIGKILL) at a random moment leaves a trace of every order it placed.
 * Each kill is its own emulator (so every order it holds is that run's), with some latency and tasks
 * that take a while, so the kills land while listing, while submitting and while following. The delays
 * are seeded, and counted from the run's first call to the emulator (every other kill: from its first
 * order), not from the spawn: how long Node and the CLI take to start depends on the machine's load, and
 * counted from the spawn, on a busy machine most kills landed before the first order and the test
 * measured nothing.
 *
 * After each kill: every order the emulator holds has a `kind: submission` line on the captured stdout
 * (written before the order is sent), every order but possibly the last (REDEEM_SUBMIT_CONCURRENCY=1) has its `kind: decision` line
 * with its task number (the next submission starts only after that line), and SLS has the run's
 * `outcome: started` record whenever the run got as far as an order.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../emulator/random.js';
import { startEmulator } from '../support/emulator.js';
import { finished } from '../support/spawn.js';
import { CLI_RECORDS_STREAM, completeRecords, removeCliTemp, spawnCli, type JsonRecord } from './harness.js';
import { cliEnv } from './portfolio.js';
import { trialCount } from './trials.js';

afterAll(removeCliTemp);

const SEED = 20_261_201;
const KILLS = Math.max(20, trialCount(20));
const AT_ONCE = 2;

interface KillResult {
  readonly delayMs: number;
  readonly orders: number;
  readonly withSubmission: number;
  readonly withDecision: number;
  readonly lastWithoutDecision: boolean;
  readonly slsStarted: boolean;
  readonly stdoutBytes: number;
}

const ORDER_ACTION = 'SaveSingleTaskForCreatingOrderRedeem';

/** `delayMs` after the run's first call to the emulator, or with `fromFirstOrder` after its first order. */
async function killOnce(delayMs: number, fromFirstOrder: boolean): Promise<KillResult> {
  const e = await startEmulator({ domains: 60, seed: 1, redemptionShare: 0.4, latencyMs: 15, taskTiming: { waitingMs: 400, executingMs: 800 } });
  try {
    const child = spawnCli(
      ['run', '--mode', 'live', '--budget-seconds', '10', '--records'],
      // One at a time, fixed: the property under test (each order's decision line before the next order) is
      // that pace's. Under auto, a loaded machine (the full suite on 2 cores) made orders slow enough for auto
      // to raise the pace, several were on the wire at the kill, and "all but the last" failed for a reason
      // the test does not test (kills-auto.test.ts covers the raised pace).
      cliEnv(e, { REDEEM_SUBMIT_CONCURRENCY: '1', REDEEM_MAX_PER_RUN: '50', REDEEM_MAX_PER_DAY: '50', SLS_ENDPOINT: e.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results' }),
    );
    let exited = false;
    const output = finished(child).finally(() => (exited = true));
    const begun = () => (fromFirstOrder ? e.calls.some((call) => call.action === ORDER_ACTION) : e.calls.length > 0);
    while (!begun() && !exited) await sleep(5);
    await sleep(delayMs);
    child.kill('SIGKILL');
    const { stdout, stderr } = await output;
    // Let requests the child sent before it died finish inside the emulator.
    await sleep(40);
    const records = completeRecords(CLI_RECORDS_STREAM === 'stdout' ? stdout : stderr);
    const tasks = [...e.domain.tasks].sort((a, b) => a.createdAt - b.createdAt);
    const submitted = new Set(records.filter((r) => r.kind === 'submission').map((r) => r.domain));
    const decided = new Map(records.filter((r) => r.kind === 'decision' && r.task_no !== undefined).map((r) => [r.task_no, r]));
    const started = records.find((r) => r.kind === 'run' && r.outcome === 'started');
    for (const [i, task] of tasks.entries()) {
      expect(submitted.has(task.domainName), `order ${i + 1} of ${tasks.length} (${task.domainName}) has no submission line, kill at ${delayMs} ms`).toBe(true);
      if (i < tasks.length - 1) expect(decided.get(task.taskNo), `order ${i + 1} of ${tasks.length} has no decision line`).toMatchObject({ outcome: 'submitted', domain: task.domainName });
    }
    const slsStarted = e.sls.logs.some((log) => log.contents.kind === 'run' && log.contents.outcome === 'started' && log.contents.run_id === started?.run_id);
    if (tasks.length > 0) expect(slsStarted, `SLS has no started record, kill at ${delayMs} ms`).toBe(true);
    const last = tasks.at(-1);
    return {
      delayMs,
      orders: tasks.length,
      withSubmission: tasks.filter((t) => submitted.has(t.domainName)).length,
      withDecision: tasks.filter((t) => decided.has(t.taskNo)).length,
      lastWithoutDecision: last !== undefined && !decided.has(last.taskNo),
      slsStarted,
      stdoutBytes: stdout.length,
    };
  } finally {
    await e.close();
  }
}

describe('finding 5: SIGKILL at random moments', () => {
  it(`${KILLS} seeded kills of a live CLI run: every order has its submission line, and all but the one in flight its decision line`, async () => {
    const random = seededRandom(SEED);
    const delays = Array.from({ length: KILLS }, () => Math.floor(random() * 700));
    const results: KillResult[] = [];
    for (let i = 0; i < delays.length; i += AT_ONCE) results.push(...(await Promise.all(delays.slice(i, i + AT_ONCE).map((delay, j) => killOnce(delay, (i + j) % 2 === 1)))));
    const orders = results.reduce((n, r) => n + r.orders, 0);
    console.log(
      `[safety] kills: ${results.length} SIGKILLs (seed ${SEED}, at ${delays.join(',')} ms after the first call, every other one after the first order), ${results.filter((r) => r.orders > 0).length} after an order, ` +
        `${orders} orders in all (per kill ${results.map((r) => r.orders).join(',')}), ${results.reduce((n, r) => n + r.withSubmission, 0)} with a submission line, ` +
        `${results.reduce((n, r) => n + r.withDecision, 0)} with a decision line (the last order lacked it in ${results.filter((r) => r.lastWithoutDecision).length} kills), ` +
        `SLS started record in ${results.filter((r) => r.slsStarted).length}, stdout bytes ${results.map((r) => r.stdoutBytes).join(',')}`,
    );
    // The kills must have hit the submitting phase often enough to mean something.
    expect(results.filter((r) => r.orders > 0).length).toBeGreaterThanOrEqual(KILLS / 2);
    expect(results.some((r) => r.orders > 0 && r.orders < 19)).toBe(true);
  }, 60_000);
});
