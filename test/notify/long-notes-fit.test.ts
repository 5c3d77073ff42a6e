/**
 * H29: many domains at risk, each held by a cap with this session's long notes (planner dayCapNote and
 * ownUnknownNote, up to 400–500 characters on the at-risk line): every channel's message must stay within
 * its vendor's size rule (test/support/chat-robots.ts, from reference/notifications.md: DingTalk 20000 bytes,
 * Feishu 20 KB body, WeCom markdown 4096 bytes, Slack 40000 characters), be accepted, and still name the most
 * urgent domains and say how many more there are.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sendNotifications, type SendOptions } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { dayCapNote, ownUnknownNote } from '../../shared/run/planner.js';
import { EVERY_ROBOT_ACCEPTED, startChatRobots, type ChatRobots } from '../support/chat-robots.js';
import { decision, NOW, runRecord } from '../support/notify.js';

let robots: ChatRobots | undefined;
beforeEach(() => forgetRobotSends());
afterEach(async () => {
  await robots?.close();
  robots = undefined;
});

const options = (): SendOptions => ({ deadlineMs: Date.now() + 10_000, now: Date.now, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) });
const ledger = { unknownOrderOf: () => ({ sentMs: NOW - 3_600_000, runId: 'run-7a6b5c4d-0000-1111-2222-333344445555' }) } as never;

for (const count of [30, 200]) {
  describe(`${count} domains at risk, each with a long cap note`, () => {
    // Deadlines spread so that the most urgent is unambiguous: urgent-0 has the earliest.
    const decisions = Array.from({ length: count }, (_, i) => {
      const own = i % 2 === 0;
      const note = own
        ? `${ownUnknownNote(ledger, `x-${i}.com`, NOW, 'balance')}; the balance 12.00 CNY is below the 69.00 CNY this domain needs plus 1,380.00 CNY reserved for 20 open orders`
        : dayCapNote(20, 3, 20, NOW + 5 * 3_600_000);
      return decision(`urgent-${i}-a-fairly-long-domain-name-label.com`, i % 3, { reason: own ? 'insufficient-balance' : 'cap-per-day', error_message: note, deadline_ms: NOW + i * 60_000 });
    });
    const report = buildReport(decisions, runRecord(), [], 3);

    it('every robot accepts it, with the most urgent domains and how many more', async () => {
      expect(report.atRisk.some((a) => a.why.length > 400)).toBe(true);
      robots = await startChatRobots();
      const results = await sendNotifications({ channels: robots.targets() }, report, options());
      expect(results.map((r) => [r.channel, r.status, r.code])).toEqual(EVERY_ROBOT_ACCEPTED);
      for (const [channel, text] of Object.entries(robots.lastTexts())) {
        expect(text, channel).toBeDefined();
        expect(text!.split('\n')[0], channel).toContain(`${count} at risk`);
        expect(text, channel).toContain(`At risk (${count})`);
        expect(text, channel).toContain('urgent-0-a-fairly-long-domain-name-label.com');
        const shownLines = text!.split('\n').filter((l) => /urgent-\d+-/.test(l)).length;
        if (shownLines < count) expect(text, channel).toContain(`…and ${count - shownLines} more`);
      }
      const wecom = robots.posted('wecom').at(-1)!.body.markdown.content as string;
      expect(Buffer.byteLength(wecom, 'utf8')).toBeLessThanOrEqual(4096);
    });
  });
}

describe('200 domains held by the day cap, all with the same note (one dayCapNote a run)', () => {
  // 40 of them with less than a day left: the ones a person must act on by hand today.
  const note = dayCapNote(20, 3, 20, NOW + 5 * 3_600_000);
  const decisions = Array.from({ length: 200 }, (_, i) =>
    decision(`held-${String(i).padStart(3, '0')}.com`, i < 40 ? 0 : 2, { reason: 'cap-per-day', error_message: note, deadline_ms: NOW + i * 60_000 }),
  );
  const report = buildReport(decisions, runRecord(), [], 3);

  it('WeCom (4096 bytes) names every domain with less than a day left: the note is said once, not 200 times', async () => {
    robots = await startChatRobots();
    const results = await sendNotifications({ channels: { wecom: robots.targets().wecom } }, report, options());
    expect(results.filter((r) => r.status !== 'off').map((r) => r.status)).toEqual(['ok']);
    const text = robots.lastTexts().wecom!;
    expect(text).toContain('the first slot frees at');
    const missing = Array.from({ length: 40 }, (_, i) => `held-${String(i).padStart(3, '0')}.com`).filter((d) => !text.includes(d));
    expect(missing).toEqual([]);
  });
});
