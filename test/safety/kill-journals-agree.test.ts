/**
 * A CLI run writes its records to two journals: the CLI's orders file on the machine and the results
 * logstore (sls.md PutLogs, in batches). A run killed just after a refused submission (domain-api.md 3.3:
 * ParameterIllegal, HTTP 400: nothing placed) has its `released` line in the orders file, while the
 * decision line that says the same to the logstore was still in the batch that never left. The next run
 * reads both: what one of them knows (the submission placed no order) must not be undone by the other.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { completeRecords, removeCliTemp, spawnCli, type Env } from './harness.js';
import { dueExpiration, standinEnv, standinPerTest } from './standin-runs.js';

afterAll(removeCliTemp);
const start = standinPerTest();
const inbox = inboxPerTest();

describe('a refused submission the orders file settled and the logstore never heard settled', () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  async function cliRun(url: string, extra: Env, onChild?: (child: ChildProcessWithoutNullStreams) => void) {
    const env = { ...standinEnv({ url } as never, { REDEEM_FOLLOW_SECONDS: '1', SLS_ENDPOINT: sls!.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', ...extra }), ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret };
    const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], env);
    onChild?.(child);
    const done = await finished(child);
    return { ...done, records: completeRecords(done.stdout) };
  }

  it('is not told by the next run as an outcome unknown', async () => {
    sls = await startSlsStandin({ keys: keysFor({ accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, accessKeySecret: EMULATOR_CREDENTIALS.accessKeySecret }) });
    let refuse = true;
    const s = await start({ domains: [domainItem('refused-once.com', dueExpiration('refused-once.com') + 2 * 86_400_000)], newTaskStatus: 0, script: ((call: StandinCall) => {
      if (!refuse || call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
      return { status: 400, body: { Code: 'ParameterIllegal', Message: 'The parameter is illegal.', RequestId: 'R-1' } };
    }) as never });
    const box = await inbox();
    const hook = { NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
    // The first run: its order refused, its message reaching no one (a closed port).
    const first = await cliRun(s.url, { ...hook, NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/closed' });
    expect(first.records.find((r) => r.kind === 'decision' && r.domain === 'refused-once.com')).toMatchObject({ outcome: 'failed' });
    // As if killed before its last batch left: the logstore keeps its start and its submission line only.
    const kept = sls.logs.filter((log) => {
      const fields = Object.fromEntries(log.contents);
      return fields.kind === 'submission' || (fields.kind === 'run' && fields.outcome === 'started');
    });
    sls.logs.splice(0, sls.logs.length, ...kept);
    expect(kept.map((log) => Object.fromEntries(log.contents).kind).sort()).toEqual(['run', 'submission']);
    refuse = false;
    await cliRun(s.url, hook);
    expect(box.bodies.flatMap((b) => (b.outcome_unknown ?? []) as unknown[]), 'outcome_unknown of the next run').toEqual([]);
  }, 30_000);

  it('a killed run\'s order the registrar took, in both journals: told once as ordered, not also as an outcome unknown', async () => {
    sls ??= await startSlsStandin({ keys: keysFor({ accessKeyId: EMULATOR_CREDENTIALS.accessKeyId, accessKeySecret: EMULATOR_CREDENTIALS.accessKeySecret }) });
    const store = sls;
    const state = { child: undefined as ChildProcessWithoutNullStreams | undefined, armed: true };
    // The order is taken; its answer held, and the run killed once the logstore has its submission line.
    const script = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
      if (!state.armed || !state.child || call.action !== 'SaveSingleTaskForCreatingOrderRedeem') return undefined;
      state.armed = false;
      standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
      const child = state.child;
      const poll = setInterval(() => {
        if (store.records().some((r) => r.kind === 'submission' && r.domain === 'both-journals.com')) {
          clearInterval(poll);
          child.kill('SIGKILL');
        }
      }, 10);
      child.once('exit', () => clearInterval(poll));
      return { raw: '', then: 'hold' };
    };
    const s = await start({ domains: [domainItem('both-journals.com', dueExpiration('both-journals.com') + 2 * 86_400_000)], listAfterMs: 300, newTaskStatus: 0, script: script as never });
    const box = await inbox();
    const hook = { NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
    const killed = await cliRun(s.url, hook, (child) => (state.child = child));
    expect(killed.code, 'the first run was killed').toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 400));
    await cliRun(s.url, hook);
    expect(s.orders, 'one order').toHaveLength(1);
    expect(box.bodies.map((b) => b.earlier_orders), 'earlier_orders').toEqual([[{ domain: 'both-journals.com', task_no: s.orders[0]!.taskNo, run_id: killed.records.find((r) => r.kind === 'run')!.run_id }]]);
    expect(box.bodies.flatMap((b) => (b.outcome_unknown ?? []) as unknown[]), 'outcome_unknown').toEqual([]);
  }, 30_000);
});
