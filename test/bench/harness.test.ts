/**
 * The benchmark harness works (on a tiny portfolio), and its reference is an honest peer: the same
 * decisions and the same calls as the function on the same emulator portfolio.
 */
import { createRequire } from 'node:module';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { OURS_BUNDLE, REFERENCE_BUNDLE, buildReference, bundleSizes, coldStart, nodeBaseline, percentile, runCase, signingThroughput } from '../../bench/lib.js';
import type { Emulator } from '../emulator/server.js';
import { startEmulator } from '../support/emulator.js';

const require = createRequire(import.meta.url);
type Handler = (event: Buffer, context: unknown) => Promise<any>;
let ours: Handler;
let reference: Handler;

beforeAll(async () => {
  await buildReference();
  ours = require(OURS_BUNDLE).handler;
  reference = require(REFERENCE_BUNDLE).handler;
}, 60_000);

afterEach(() => vi.restoreAllMocks());

const context = {
  requestId: 'harness',
  credentials: { accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-secret', securityToken: 'harness-token' },
  function: { timeout: 60 },
};
const timer = Buffer.from(JSON.stringify({ triggerTime: '2026-12-01T01:00:00Z', triggerName: 'harness', payload: '' }));

async function runBoth(env: Record<string, string>, emulators: [Emulator, Emulator]) {
  vi.spyOn(process.stdout, 'write').mockImplementation((() => true) as never);
  const results = [];
  for (const [handler, emulator] of [[ours, emulators[0]], [reference, emulators[1]]] as const) {
    Object.assign(process.env, { ...env, DOMAIN_ENDPOINT: emulator.url });
    results.push(await handler(timer, context));
  }
  return results;
}

const view = (summary: any) => summary.decisions.map((d: any) => [d.domain, d.action, d.reason, d.outcome, d.days_left, d.rules]);

describe('the reference is an honest peer', () => {
  it('dry-run: the same decisions and the same calls on the same portfolio', async () => {
    const emulator = await startEmulator({ domains: 400, seed: 17 });
    try {
      const [a, b] = await runBoth({ REDEEM_MODE: 'dry-run', REDEEM_MAX_PER_RUN: '8' }, [emulator, emulator]);
      expect(a.decisions.length).toBeGreaterThan(20);
      expect(view(b)).toEqual(view(a));
      expect(b.callsByAction).toEqual(a.callsByAction);
    } finally {
      await emulator.close();
    }
  });

  it('live: the same orders, the same outcomes and the same calls on twin portfolios', async () => {
    const twins = [await startEmulator({ domains: 300, seed: 5, taskTiming: { waitingMs: 50, executingMs: 50 } }), await startEmulator({ domains: 300, seed: 5, taskTiming: { waitingMs: 50, executingMs: 50 } })] as [Emulator, Emulator];
    try {
      const [a, b] = await runBoth({ REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '100', REDEEM_MAX_PER_DAY: '100' }, twins);
      expect(a.run.count_succeeded).toBeGreaterThan(5);
      expect(view(b)).toEqual(view(a));
      expect(twins[1].domain.tasks.map((t) => t.domainName)).toEqual(twins[0].domain.tasks.map((t) => t.domainName));
      expect(b.callsByAction).toEqual(a.callsByAction);
    } finally {
      await Promise.all(twins.map((t) => t.close()));
    }
  });
});

describe('the harness on a tiny portfolio', () => {
  it('bundle sizes: both bundles measured, gzip smaller than minified', () => {
    const sizes = bundleSizes();
    expect(sizes.ours_gzip_bytes).toBeLessThan(sizes.ours_bytes);
    expect(sizes.reference_gzip_bytes).toBeLessThan(sizes.reference_bytes);
    expect(sizes.ours_bytes).toBeGreaterThan(10_000);
  });

  it('cold start: a fresh process loads each bundle and completes a run', async () => {
    const emulator = await startEmulator({ domains: 50, seed: 2 });
    try {
      const inRedemption = emulator.domain.domains.filter((d) => d.domainStatus === 2).length;
      expect(inRedemption).toBeGreaterThan(0);
      for (const bundle of [OURS_BUNDLE, REFERENCE_BUNDLE]) {
        const result = await coldStart(bundle, emulator.url);
        expect(result.loadMs).toBeGreaterThan(0);
        expect(result.handleMs).toBeGreaterThan(0);
        // One decision per domain in redemption: the child ran the whole job, not just a load.
        expect(result.decisions).toBe(inRedemption);
      }
    } finally {
      await emulator.close();
    }
  });

  it('a case: a live run in its own process against an emulator process, with its minimum and bound', async () => {
    const row = await runCase({ name: 'tiny', title: 'tiny', groups: ['quick'], domains: 200, redemptionShare: 0.2, latency: { all: 0 }, task: { waitingMs: 50, executingMs: 50 }, timeoutSeconds: 60 });
    expect(row.error).toBeUndefined();
    expect(row.inRedemption).toBeGreaterThan(10);
    expect(row.orders).toBeGreaterThan(0);
    // 100 ms tasks in a 60 s run: every outcome is known, and the follow-ups are one detail per order.
    expect(row.confirmed).toBe(row.orders);
    // One page of the redemption list and one of the renewal list (the run reads it for the notification).
    expect(row.minimum).toMatchObject({ listPages: 2, ledgerPages: 1, decisiveDetails: 0, submissions: row.orders, outcomeDetails: row.orders });
    expect(row.calls).toBeGreaterThanOrEqual(row.minimum.total);
    expect(row.bound.taskMs).toBe(100);
    expect(row.wallOverBound).toBeGreaterThan(1);
    expect(row.peakRssMb).toBeGreaterThan(10);
  });

  it('the second day: a week of orders for what the run would order leaves nothing to order', async () => {
    const row = await runCase({ name: 'tiny-day-2', title: 'tiny', groups: ['quick'], domains: 300, redemptionShare: 0.2, latency: { all: 0 }, task: { waitingMs: 50, executingMs: 50 }, timeoutSeconds: 60, secondDay: true });
    expect(row.error).toBeUndefined();
    expect(row.ledgerTasks).toBeGreaterThan(5);
    expect(row.orders).toBe(0);
    expect(row.minimum.total).toBe(row.minimum.listPages + row.minimum.ledgerPages);
    expect(row.callsByAction.QueryTaskList).toBeGreaterThanOrEqual(1);
  });

  it('cold start spawn to exit is longer than in the process, and longer than Node alone', async () => {
    const emulator = await startEmulator({ domains: 20, seed: 2 });
    try {
      const result = await coldStart(OURS_BUNDLE, emulator.url);
      expect(result.spawnToExitMs).toBeGreaterThan(result.totalMs);
      expect(result.spawnToExitMs).toBeGreaterThan(await nodeBaseline());
    } finally {
      await emulator.close();
    }
  });

  it('signing throughput and percentiles', () => {
    const rates = signingThroughput(150);
    expect(rates.ours_ops).toBeGreaterThan(0);
    expect(rates.reference_ops).toBeGreaterThan(0);
    expect(percentile([5, 1, 4, 2, 3], 50)).toBe(3);
    expect(percentile([5, 1, 4, 2, 3, 6, 7, 8, 9, 10], 90)).toBe(9);
  });
});
