/**
 * Two runs of one process at once (two webhooks to one custom-runtime instance), with the results logstore:
 * the second reads the first one's order back from SLS while the first is still following it. That order
 * has no end record yet, and the first run will tell it in its own message; the second knows it is still
 * going (its order is in this process's registry, its run not ended), so it must not tell it as 'ordered
 * by a run that never reported' (a person would hear of one order twice, once as if its run had died).
 */
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { inboxPerTest } from '../support/webhook-inbox.js';
import { runInProcess } from './harness.js';
import { dueExpiration, standinEnv, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const inbox = inboxPerTest();

describe('a run of this process still going', () => {
  it('its order, read back from the logstore by another run of the process, is not told as one of a run that never reported', async () => {
    const sls = await startEmulator({ domains: 0 });
    try {
      const s = await start({ domains: [domainItem('going.com', dueExpiration('going.com'))], newTaskStatus: 0 });
      const box = await inbox();
      const env = { ...standinEnv(s), SLS_ENDPOINT: sls.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', NOTIFY_WEBHOOK_URL: box.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
      // The first run follows its (never finishing) task for 4 s.
      const first = runInProcess({ ...env, REDEEM_FOLLOW_SECONDS: '4' }, { followIntervalMs: 100 });
      const delivered = () => sls.sls.logs.some((l) => l.contents.kind === 'decision' && l.contents.action === 'redeem' && l.contents.task_no);
      while (!delivered()) await new Promise((resolve) => setTimeout(resolve, 20));
      const second = await runInProcess({ ...env, REDEEM_FOLLOW_SECONDS: '1' });
      const firstRun = await first;
      expect(s.orders.map((o) => o.domainName), 'one order').toEqual(['going.com']);
      expect(second.summary.decisions.find((d) => d.domain === 'going.com')).toMatchObject({ reason: 'task-in-flight' });
      const secondBody = box.bodies.find((b) => (b.run as { run_id: string }).run_id === second.summary.run.run_id);
      // The second run holds going.com as at risk, so it does send a message: one that tells no earlier order.
      expect(secondBody, "the second run's message").toBeDefined();
      expect(secondBody!.earlier_orders ?? [], "the second run's message").toEqual([]);
      const firstBody = box.bodies.find((b) => (b.run as { run_id: string }).run_id === firstRun.summary.run.run_id);
      expect((firstBody?.ordered as Array<{ domain: string }>).map((o) => o.domain), "the first run's own message tells it").toEqual(['going.com']);
    } finally {
      await sls.close();
    }
  }, 30_000);
});
