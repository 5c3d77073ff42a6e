/**
 * A refusal's text can quote the request (a proxy's or gateway's 404 page repeats the path, which for
 * Slack and Feishu is the credential). Whatever field the refusal ends up in, code or message, it goes
 * into the run record, stdout, SLS and the CLI, so no part of it may carry a token.
 */
import { describe, expect, it } from 'vitest';
import { notifyRecordFields, sendNotifications } from '../../shared/notify/deliver.js';
import { formatChannelResults } from '../../shared/notify/notify-run.js';
import { buildReport } from '../../shared/notify/report.js';
import { busyRun } from '../support/notify.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const SLACK_TOKEN = 'xoxbSlackHookSecretPart0123456789';

describe('a refusal that quotes the URL', () => {
  it('Slack: a 404 page that repeats the hook path leaves no token in the code, the record or the CLI line', async () => {
    const results = await sendNotifications({ channels: { slack: { url: `https://hooks.slack.com/services/T0001/B0002/${SLACK_TOKEN}` } } }, report, {
      deadlineMs: Date.now() + 5_000,
      now: Date.now,
      sleep: async () => undefined,
      send: async (exchange) => ({ status: 404, headers: {}, body: Buffer.from(`Cannot POST ${new URL(exchange.url).pathname}`) }),
    });
    const slack = results.find((r) => r.channel === 'slack')!;
    expect(slack.status).toBe('failed');
    const shown = JSON.stringify([results, notifyRecordFields(results), formatChannelResults(results)]);
    expect(shown).not.toContain(SLACK_TOKEN);
    // A record field named _code holds a code, not a page of text.
    expect(notifyRecordFields(results).notify_slack_code).toMatch(/^[\w ]{1,40}$/);
  });
});
