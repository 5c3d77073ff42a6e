/**
 * The function on FC (TZ unset: UTC) and the CLI on a laptop (any TZ) decide one portfolio alike: which
 * domains are in the window, their days left and deadlines, and the day's cap, counted from the
 * registrar's task ledger. The registrar's dates (CreateTime "2026-12-02 00:30:00", no zone: domain-api.md
 * §3.5, §3.6) and its Long fields (epoch ms, §1) are read the same whatever the process's zone; a local-time
 * reading on one of them would put a domain in the window on one machine and out of it on the other, or
 * count the day's cap from another midnight, and the two together could order past the cap.
 * The CLI runs as a child process with TZ set, against the registrar stand-in.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { completeRecords, removeCliTemp, spawnCli } from './harness.js';
import { standinEnv, standinPerTest } from './standin-runs.js';

afterAll(removeCliTemp);
const start = standinPerTest();
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** gTLD: 30 + 29 days, less the day of margin (DESIGN §3): the expiry that puts the deadline `leftMs` ahead. */
const expiryLeaving = (now: number, leftMs: number) => now + leftMs - (30 + 29 - 1) * DAY_MS;

describe('FC (UTC) and a CLI on a laptop (America/Los_Angeles, Asia/Shanghai, Pacific/Kiritimati) agree', () => {
  it('on the window (REDEEM_WITHIN_DAYS=7, minutes either side), days left, deadlines and the day\'s cap', async () => {
    const now = Date.now();
    const s = await start({
      domains: [
        domainItem('just-in.com', expiryLeaving(now, 7 * DAY_MS - 20 * MINUTE_MS)),
        domainItem('just-out.com', expiryLeaving(now, 7 * DAY_MS + 20 * MINUTE_MS)),
        domainItem('hours-left.com', expiryLeaving(now, 3 * 3_600_000)),
        domainItem('two-days.com', expiryLeaving(now, 2 * DAY_MS + 30 * MINUTE_MS)),
      ],
      // An order of 20 h ago (Beijing CreateTime in the ledger): one of REDEEM_MAX_PER_DAY=3's slots.
      tasks: [{ taskNo: 'T-EARLIER', domainName: 'earlier.com', statusCode: 2, createdMs: now - 20 * 3_600_000 }],
    });
    const env = { ...standinEnv(s, { REDEEM_MAX_PER_DAY: '3' }), ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret };
    const decide = async (tz: string | undefined) => {
      const done = await finished(spawnCli(['plan', '--records'], tz === undefined ? env : { ...env, TZ: tz }));
      const decisions = completeRecords(done.stdout).filter((r) => r.kind === 'decision');
      // The deadline to the minute: the runs are seconds apart, their decisions must not be.
      return decisions
        .map((d) => ({ domain: d.domain, action: d.action, reason: d.reason, days_left: d.days_left, deadline_min: Math.round(Number(d.deadline_ms) / MINUTE_MS) }))
        .sort((a, b) => String(a.domain).localeCompare(String(b.domain)));
    };
    const fc = await decide(undefined);
    expect(fc).toEqual([
      { domain: 'hours-left.com', action: 'redeem', reason: 'dry-run', days_left: 0, deadline_min: expect.any(Number) },
      { domain: 'just-in.com', action: 'skip', reason: 'cap-per-day', days_left: 6, deadline_min: expect.any(Number) },
      { domain: 'just-out.com', action: 'skip', reason: 'outside-window', days_left: 7, deadline_min: expect.any(Number) },
      { domain: 'two-days.com', action: 'redeem', reason: 'dry-run', days_left: 2, deadline_min: expect.any(Number) },
    ]);
    for (const tz of ['America/Los_Angeles', 'Asia/Shanghai', 'Pacific/Kiritimati']) expect(await decide(tz), tz).toEqual(fc);
  }, 60_000);
});
