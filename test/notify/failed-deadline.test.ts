/**
 * An order the registrar refused, or one whose outcome is unknown, leaves the domain to a person: they must
 * order it by hand (after checking the console, for an unknown outcome) before its redemption deadline.
 * The message names the domains at risk with their deadline and days left; a failed order's line must say
 * them too, or a person cannot tell the failure with hours left from the one with a week. Every vendor's
 * stand-in (test/support/chat-robots.ts) shows it.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();

describe('a failed order in the message', () => {
  const report = buildReport(
    [
      decision('refused.com', 0, { action: 'redeem', reason: 'due', outcome: 'failed', task_no: 't-1', error_code: 'DomainNotRedeemable', error_message: 'the domain cannot be redeemed' }),
      decision('silent.com', 2, { action: 'redeem', reason: 'due', outcome: 'failed', error_code: 'OutcomeUnknown', error_message: 'socket hang up' }),
    ],
    runRecord(),
    [],
    3,
  );

  it('says its deadline and the time left, on every vendor, as an at-risk line does', async () => {
    const robots = await start();
    const results = await sendNotifications({ channels: robots.targets() }, report, { deadlineMs: Date.now() + 10_000, now: Date.now, sleep: (ms) => new Promise((r) => setTimeout(r, ms)) });
    expect(results.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    for (const [channel, text] of Object.entries(robots.lastTexts())) {
      const line = (domain: string) => text!.split('\n').find((l) => l.includes(domain)) ?? '';
      expect({ channel, line: line('refused.com') }).toEqual({ channel, line: expect.stringMatching(/deadline ~2026-12-01 UTC \(less than a day left\)/) });
      expect({ channel, line: line('silent.com') }).toEqual({ channel, line: expect.stringMatching(/deadline ~2026-12-03 UTC \(2 days left\)/) });
    }
    const webhook = robots.posted('webhook').at(-1)!.body;
    expect(webhook.failed[0]).toMatchObject({ domain: 'refused.com', days_left: 0 });
    expect(webhook.outcome_unknown[0]).toMatchObject({ domain: 'silent.com', days_left: 2 });
  });
});
