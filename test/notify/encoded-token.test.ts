/**
 * A receiver's token in the notification webhook's URL may need percent-encoding (a base64 token:
 * + / =). A refusal that repeats the request line (many frameworks' 401 and 404 pages do) carries the
 * token as it was sent, encoded, which is not the decoded value the redaction looked for.
 * Real HTTP to the robot stand-ins (test/support/chat-robots.ts).
 */
import { describe, expect, it } from 'vitest';
import { notifyRecordFields, sendNotifications } from '../../shared/notify/deliver.js';
import { formatChannelResults } from '../../shared/notify/notify-run.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { busyRun } from '../support/notify.js';

const { decisions, run, watch } = busyRun();
const report = buildReport(decisions, run, watch, 3);
const startRobots = chatRobotsPerTest();

describe('a webhook URL whose token is percent-encoded', () => {
  it.each([
    ['in the query', (base: string) => `${base}/hook?token=c2VjcmV0%2Bd2ViaG9vaw%2Fw%3D%3D`, 'c2VjcmV0%2Bd2ViaG9vaw'],
    ['in the path', (base: string) => `${base}/hook/c2VjcmV0%2Bd2ViaG9vaw%2Fw%3D%3D`, 'c2VjcmV0%2Bd2ViaG9vaw'],
  ])('%s: a 401 page repeating the request line leaves no piece of the token', async (_where, urlOf, piece) => {
    const robots = await startRobots();
    const url = urlOf(robots.url);
    const path = url.slice(robots.url.length);
    robots.answerWith('webhook', { status: 401, body: `Unauthorized: POST ${path} HTTP/1.1`, contentType: 'text/plain' });
    const results = await sendNotifications({ channels: { webhook: { url } } }, report, { deadlineMs: Date.now() + 5_000, now: Date.now, sleep: async () => undefined });
    expect(results[4]).toMatchObject({ channel: 'webhook', status: 'failed' });
    expect(JSON.stringify([results, notifyRecordFields(results), formatChannelResults(results)])).not.toContain(piece);
  });
});
