/**
 * Two runs of one FC instance, one after the other (a timer, then a webhook). The first orders a domain
 * and tells it: its message reached the robot, and its run record saying so is the last it writes to the
 * results logstore. SLS makes a log searchable only once it is indexed, a few seconds after it arrived
 * (sls.md: GetLogs reads indexed logs; the reference's read-back notes the same lag). The second run, a
 * moment later, finds the first run's order (its decision line, indexed long ago) and not yet its end: no
 * source it can read says that run told it. This process knows it did: the order must not be told twice.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsCall, type SlsScripted, type SlsStandin } from '../support/sls-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { quickClock, runInProcess } from './harness.js';
import { dueExpiration, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const inbox = inboxPerTest();

describe('a run of this process that told its order, its end record not searchable yet', () => {
  let sls: SlsStandin | undefined;
  afterAll(async () => sls?.close());

  it('the next run of the process does not tell that order again', async () => {
    let runRecordsIndexed = true;
    sls = await startSlsStandin({
      keys: keysFor(EMULATOR_CREDENTIALS),
      // The run records not indexed yet: a search for them finds nothing.
      script: (call: SlsCall): SlsScripted | undefined => (call.api === 'GetLogs' && !runRecordsIndexed && /kind: run/.test(call.query.query ?? '') ? { getLogs: [] } : undefined),
    });
    const s = await start({ domains: [domainItem('told.com', dueExpiration('told.com'))], newTaskStatus: 2 });
    const box = await inbox();
    const env = liveRunWithSls(s.url, sls.url, { REDEEM_FOLLOW_SECONDS: '1', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) });
    await runInProcess(env, { clock: quickClock, followIntervalMs: 10 });
    expect(s.orders.map((o) => o.domainName), 'the first run ordered it').toEqual(['told.com']);
    expect(box.bodies, 'and told it').toHaveLength(1);
    runRecordsIndexed = false;
    await runInProcess(env, { clock: quickClock, followIntervalMs: 10, options: { domains: ['told.com'] } });
    expect(s.orders, 'not ordered again').toHaveLength(1);
    expect(box.bodies.flatMap((b) => (b.earlier_orders ?? []) as unknown[]), 'earlier_orders of the second run').toEqual([]);
  }, 30_000);
});
