/**
 * The CLI's host lock and orders file are one per registrar (and key): two spellings of one endpoint that
 * the configuration takes as the same registrar (README: DOMAIN_ENDPOINT is a URL or a host name; an empty
 * variable counts as unset) must give the same lock and file, or a run from one shell (a crontab, say) does
 * not wait for, nor read the orders of, a run from another, and with the registrar listing the first
 * order late (the docs promise nothing about when), orders the domain again.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { completeRecords, removeCliTemp, spawnCli, type Env } from '../safety/harness.js';
import { dueExpiration, standinEnv, standinPerTest } from '../safety/standin-runs.js';

afterAll(removeCliTemp);
const start = standinPerTest();

async function cliRun(url: string, extra: Env) {
  const env = { ...standinEnv({ url } as never, { REDEEM_FOLLOW_SECONDS: '1' }), ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret, ...extra };
  const done = await finished(spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], env));
  return { ...done, records: completeRecords(done.stdout) };
}

describe('one registrar, its endpoint spelt two ways', () => {
  const spellings = (url: string) => [
    ['with a trailing slash', { DOMAIN_ENDPOINT: `${url}/` }],
    ['as the configuration keeps it, with an empty DOMAIN_SITE', { DOMAIN_ENDPOINT: url, DOMAIN_SITE: '' }],
    ['with the scheme in capitals', { DOMAIN_ENDPOINT: url.replace('http://', 'HTTP://') }],
  ] as const;

  it('runs one after another under each spelling order the domain once', async () => {
    const s = await start({ domains: [domainItem('spelt.com', dueExpiration('spelt.com'))], listAfterMs: 120_000, newTaskStatus: 0 });
    const runs = [];
    for (const [, env] of spellings(s.url)) runs.push(await cliRun(s.url, env));
    expect(runs[0]!.records.find((r) => r.kind === 'decision' && r.domain === 'spelt.com'), runs[0]!.stderr).toMatchObject({ outcome: 'submitted' });
    expect(Object.fromEntries(s.ordersPerDomain()), 'orders the registrar took (each a redemption fee)').toEqual({ 'spelt.com': 1 });
  }, 30_000);
});
