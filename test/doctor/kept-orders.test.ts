/**
 * `redeemer doctor` right after a live run, the registrar not listing that run's order yet (the docs do
 * not say how soon QueryTaskList shows a task). The doctor says what a live run would do now: the next
 * live run holds such a domain (task-in-flight: the CLI's orders file, the results logstore), so the
 * doctor must not say it would order it: a person reading 'would order 1' of a domain just ordered may
 * conclude it was not, and order it by hand (a second redemption fee).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { runCli } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { dueExpiration } from '../safety/standin-runs.js';

let registrar: RegistrarStandin;
beforeAll(async () => {
  registrar = await startStandin({ domains: [domainItem('just-ordered.com', dueExpiration('just-ordered.com'))], listAfterMs: 3_600_000, newTaskStatus: 0 });
});
afterAll(() => registrar.close());

describe('the doctor after a live CLI run whose order the registrar does not list yet', () => {
  it('does not count the domain as one a live run would order now', async () => {
    const env = { DOMAIN_ENDPOINT: registrar.url, REDEEM_DOMAINS: '*', REDEEM_FOLLOW_SECONDS: '1' };
    const run = await runCli(registrar, ['run', '--mode', 'live'], env);
    expect(run.code, run.err).toBe(0);
    expect(registrar.orders.map((o) => o.domainName)).toEqual(['just-ordered.com']);
    // Another process: the doctor is its own CLI invocation.
    forgetRegistrar(registrar.url);
    const doctor = await runCli(registrar, ['doctor', '--json'], { ...env, REDEEM_MODE: 'live' });
    const plan = (JSON.parse(doctor.out).checks as Array<{ id: string; detail: string }>).find((c) => c.id === 'plan');
    expect(plan?.detail).toMatch(/^would order 0,/);
  });
});
