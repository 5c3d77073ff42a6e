/**
 * The doctor on FC (an event `{"action":"doctor"}`) in the warm instance that just ran a live run, the
 * registrar not listing that run's order yet and no results logstore: the next live run in this process
 * holds the domain (the process registry of its account's orders) and counts it on the day's cap, so the doctor, which says what a live
 * run would do now, must not say it would order it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { invokeRun, type Platform } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import type { Emulator } from '../emulator/server.js';
import { DEFAULT_ACCOUNT_ID } from '../support/accounts.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

describe('the doctor in the warm instance of a live run whose order the registrar does not list yet', () => {
  it('does not count the domain as one a live run would order now', async () => {
    const e = (emulator = await startEmulator({ domains: 20, seed: 4, taskTiming: { waitingMs: 600_000, executingMs: 600_000 } }));
    const own = e.accounts.get(DEFAULT_ACCOUNT_ID).domain;
    const env = {
      REDEEM_MODE: 'live',
      REDEEM_DOMAINS: '*',
      REDEEM_MAX_PER_RUN: '1',
      REDEEM_MAX_PER_DAY: '1',
      REDEEM_FOLLOW_SECONDS: '0',
      DOMAIN_ENDPOINT: e.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
    };
    const deps = { env, followIntervalMs: 20, logger: createLogger(() => undefined) };
    const platform = (requestId: string): Platform => ({ channel: 'event', credentials: undefined, requestId, timeoutSeconds: 60, accountId: DEFAULT_ACCOUNT_ID });
    await invokeRun('timer', {}, platform('req-live'), deps);
    expect(own.tasks).toHaveLength(1);
    // The registrar does not list the task yet.
    own.tasks.splice(0);
    const doctor = (await invokeRun('invoke', { action: 'doctor' }, platform('req-doctor'), deps)) as any;
    const plan = (doctor.checks as Array<{ id: string; detail: string }>).find((c) => c.id === 'plan');
    // The next live run in this process holds the domain, and the day's cap of 1 is used by its order.
    expect(plan?.detail).toMatch(/^would order 0,/);
    // And so it does (the doctor closed what it opened: the run is not held back by it).
    await invokeRun('timer', {}, platform('req-live-2'), deps);
    expect(own.tasks).toEqual([]);
  });
});
