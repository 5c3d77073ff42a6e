/**
 * Finding 9: a slow logstore cannot hold a run past its budget. SLS answers every PutLogs after 9.5 s; a
 * live run with a 20 s budget whose tasks do not finish (so it follows them until its finishing margin)
 * must still end by about 20 s, with every record on stdout. (This file takes its 20 s on purpose: the
 * budget is what is measured.)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Emulator } from '../emulator/server.js';
import { runInProcess } from './harness.js';
import { liveEnv } from './portfolio.js';
import { trialEmulator } from './trials.js';

// Just under the client's 10 s request timeout, so that each delivery succeeds, slowly.
const LATENCY_MS = 9_500;
const BUDGET_MS = 20_000;

let emulator: Emulator;
let putLogs = 0;
const slow = createServer((req, res) => {
  putLogs++;
  req.resume();
  const timer = setTimeout(() => res.writeHead(200, { 'x-log-requestid': 'SLOW' }).end(), LATENCY_MS);
  res.on('close', () => clearTimeout(timer));
});

beforeAll(async () => {
  emulator = await trialEmulator({ waitingMs: 120_000, executingMs: 120_000 });
  await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  slow.closeAllConnections();
  slow.close();
  await emulator.close();
});

describe('finding 9: a slow SLS', () => {
  it(`SLS answering after ${LATENCY_MS / 1000} s: a ${BUDGET_MS / 1000} s live run still ends by its budget, every record on stdout`, async () => {
    const { port } = slow.address() as AddressInfo;
    const started = Date.now();
    const { summary, records } = await runInProcess(liveEnv(emulator, { SLS_ENDPOINT: `http://127.0.0.1:${port}`, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results' }), {
      budgetMs: BUDGET_MS,
    });
    const wallMs = Date.now() - started;
    console.log(`[safety] slow SLS: wall ${wallMs} ms for a ${BUDGET_MS} ms budget, ${putLogs} PutLogs attempts, sls_delivery ${summary.run.sls_delivery}, ${summary.run.count_submitted} submitted`);
    expect(wallMs).toBeLessThanOrEqual(BUDGET_MS + 1_000);
    expect(summary.run).toMatchObject({ outcome: 'completed', count_submitted: 3 });
    expect(records.filter((r) => r.kind === 'submission')).toHaveLength(3);
    expect(records.at(-1)).toMatchObject({ kind: 'run', outcome: 'completed' });
  }, 40_000);
});
