/**
 * A PutLogs that SLS stored but whose answer never came back (the connection dropped, a timeout) is sent
 * again: the client cannot tell it from one that never arrived, and losing audit records is worse than
 * keeping two copies. SLS offers nothing against the copy: PutLogs has no idempotency key and SLS has no
 * conditional write (the hash key of /shards/route only picks a shard). So every record carries `seq`, its
 * number in the run, and `run_id` + `seq` names one record: a reader counts each record once however
 * often it was stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInProcess } from '../safety/harness.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsStandin, liveRunWithSls } from '../support/sls-standin.js';

let sls: SlsStandin;
let registrar: RegistrarStandin;

beforeAll(async () => {
  // The second PutLogs (the batch after the run's start) is stored, then its connection cut.
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: (call) => (call.api === 'PutLogs' && call.n === 2 ? 'store-then-drop' : undefined) });
  registrar = await startStandin({ domains: ['alpha.com', 'beta.com'].map((d) => domainItem(d, Date.now() - 55 * 86_400_000)) });
});
afterAll(async () => {
  await sls.close();
  await registrar.close();
});

describe('a delivery stored but not answered', () => {
  it('is stored twice, and run_id + seq tells the copies apart from distinct records: each stdout record once', async () => {
    const { summary, records } = await runInProcess(liveRunWithSls(registrar.url, sls.url));
    expect(summary.run.sls_delivery).toBe('ok');
    const stored = sls.records();
    // SLS's reality: the batch sent again is there twice.
    expect(stored.length).toBeGreaterThan(records.length);
    // Every record has its number, unique in the run, the same on stdout and in SLS.
    const seqs = records.map((r) => r.seq);
    expect(seqs).toEqual(records.map((_, i) => i + 1));
    const byKey = new Map<string, Array<Record<string, string>>>();
    for (const r of stored) byKey.set(`${r.run_id}/${r.seq}`, [...(byKey.get(`${r.run_id}/${r.seq}`) ?? []), r]);
    expect(byKey.size).toBe(records.length);
    for (const record of records) {
      const copies = byKey.get(`${record.run_id}/${record.seq}`)!;
      // The copies are the same record, field for field.
      for (const copy of copies) expect(copy).toEqual(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)])));
    }
  });
});
