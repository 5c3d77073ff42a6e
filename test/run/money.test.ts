/** The balance guard and the spend cap in whole live runs against the emulator's BSS and registrar. */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../shared/config/config.js';
import { createLogger } from '../../shared/log/index.js';
import { runRedemption } from '../../shared/run/run.js';
import type { Emulator, EmulatorOptions } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { fcContext, loadBundledHandler } from '../support/fc.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

async function start(options: EmulatorOptions = {}) {
  emulator = await startEmulator({ domains: 200, seed: 9, taskTiming: { waitingMs: 20, executingMs: 40 }, balance: 10_000, currency: 'CNY', ...options });
  return emulator;
}

function env(e: Emulator, extra: Record<string, string> = {}): Record<string, string> {
  return { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '100', REDEEM_MAX_PER_DAY: '100', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: e.url, BSS_ENDPOINT: e.url, REDEEM_WATCH_RENEWALS: 'false', ...extra };
}

async function run(variables: Record<string, string>) {
  const lines: string[] = [];
  const summary = await runRedemption({
    config: loadConfig(variables),
    credentials: EMULATOR_CREDENTIALS,
    trigger: 'invoke',
    options: {},
    budgetMs: 30_000,
    followIntervalMs: 30,
    logger: createLogger((line) => lines.push(line)),
  });
  return { summary, run: JSON.parse(lines.at(-1)!) as Record<string, unknown> };
}

const submits = (e: Emulator) => e.calls.filter((c) => c.action === 'SaveSingleTaskForCreatingOrderRedeem').length;
const balanceReads = (e: Emulator) => e.calls.filter((c) => c.action === 'QueryAccountBalance').length;

describe('the balance guard in a run', () => {
  it('enough balance: every due domain is ordered, and the run record says what was available and planned', async () => {
    const e = await start();
    const { summary, run: record } = await run(env(e, { REDEEM_PRICES: '{"*": 100}' }));
    const due = summary.decisions.filter((d) => d.action === 'redeem');
    expect(due.length).toBeGreaterThan(3);
    expect(summary.run.count_succeeded).toBe(due.length);
    expect(record).toMatchObject({ guard: 'on', balance_available: 10_000, balance_currency: 'CNY', spend_planned: 100 * due.length });
    expect(balanceReads(e)).toBe(1);
  });

  it('too little: the most urgent are ordered, the least urgent held back as insufficient-balance and told as at risk', async () => {
    const e = await start({ balance: 350 });
    const { summary } = await run(env(e, { REDEEM_PRICES: '{"*": 100}', REDEEM_MIN_BALANCE: '50' }));
    const planned = summary.decisions.filter((d) => d.reason === 'due' || d.reason === 'insufficient-balance');
    expect(planned.length).toBeGreaterThan(3);
    // 350 - 3 × 100 = 50 keeps the minimum; a fourth would take it below.
    const ordered = planned.filter((d) => d.reason === 'due');
    expect(ordered).toHaveLength(3);
    expect(submits(e)).toBe(3);
    const latestOrdered = Math.max(...ordered.map((d) => d.deadline_ms!));
    const held = planned.filter((d) => d.reason === 'insufficient-balance');
    for (const d of held) expect(d.deadline_ms!).toBeGreaterThanOrEqual(latestOrdered);
    // The first that does not fit says why; the less urgent ones wait for it.
    expect(held[0]!.error_message).toMatch(/below REDEEM_MIN_BALANCE 50/);
    for (const d of held.slice(1)) expect(d.error_message).toBe(`kept for the more urgent ${held[0]!.domain}`);
  });

  it('the spend cap counts the redeem orders of the last 24 h in the ledger, whoever placed them', async () => {
    const e = await start();
    const elsewhere = e.domain.domains.filter((d) => d.domainStatus === 3).slice(0, 2);
    for (const d of elsewhere) e.domain.seedTask(d.domainName, Date.now() - 3_600_000, { waitingMs: 0, executingMs: 0 });
    const { summary, run: record } = await run(env(e, { REDEEM_PRICES: '{"*": 100}', REDEEM_MAX_SPEND_PER_DAY: '500' }));
    // 2 × 100 already spent today: 3 more fit under 500.
    expect(summary.decisions.filter((d) => d.reason === 'due')).toHaveLength(3);
    expect(summary.decisions.some((d) => d.reason === 'cap-spend-per-day')).toBe(true);
    expect(submits(e)).toBe(3);
    expect(record.spend_planned).toBe(300);
  });

  it('an unreadable balance with the guard configured orders nothing (balance-unknown); never a guessed balance', async () => {
    const e = await start({ deny: ['QueryAccountBalance'] });
    const { summary, run: record } = await run(env(e, { REDEEM_MIN_BALANCE: '0' }));
    expect(submits(e)).toBe(0);
    const planned = summary.decisions.filter((d) => d.reason === 'balance-unknown');
    expect(planned.length).toBeGreaterThan(0);
    expect(planned[0]!.error_message).toMatch(/Forbidden/);
    expect(record).toMatchObject({ guard: 'balance-unknown' });
    expect(record.balance_available).toBeUndefined();
  });

  it('with no money setting the guard is off: BSS is never called and the run record says so', async () => {
    const e = await start({ deny: ['QueryAccountBalance'] });
    const { summary, run: record } = await run(env(e));
    expect(summary.run.count_succeeded).toBeGreaterThan(0);
    expect(balanceReads(e)).toBe(0);
    expect(record).toMatchObject({ guard: 'off' });
  });

  it('a task that fails at the registrar keeps its raw ErrorMsg, whatever its language', async () => {
    const e = await start({ faults: 'task-fail@SaveSingleTaskForCreatingOrderRedeem*1' });
    const { summary } = await run(env(e));
    const failed = summary.decisions.filter((d) => d.outcome === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ error_code: 'REGISTRY_REJECTED', error_message: 'The domain could not be redeemed at the registry.' });
  });
});

describe('the doctor inside the function', () => {
  it('{"action":"doctor"} returns the same report from the bundled handler, with its own role, and orders nothing', async () => {
    const e = await start({ accessKeys: { 'STS.fc-role-key': 'fc-role-secret-value' } });
    const saved = { ...process.env };
    Object.assign(process.env, env(e, { REDEEM_PRICES: '{"*": 100}' }));
    try {
      const handler = loadBundledHandler();
      const report = await handler(Buffer.from('{"action":"doctor"}'), fcContext({ requestId: 'req-doctor-1' }));
      expect(report.checks.map((c: { id: string }) => c.id)).toEqual(['config', 'credentials', 'clock', 'domains', 'tasks', 'balance', 'sls', 'notify', 'tld-coverage', 'plan']);
      expect(report.checks.find((c: { id: string }) => c.id === 'credentials').detail).toMatch(/context/);
      expect(report.checks.find((c: { id: string }) => c.id === 'balance').status).toBe('pass');
      expect(submits(e)).toBe(0);
    } finally {
      process.env = saved;
    }
  });
});
