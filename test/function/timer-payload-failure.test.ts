/**
 * Run options refused at the start: a failed run on record.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/redeem/index.js';
import { captureStdio, fcContext } from '../support/fc.js';
import { inboxPerTest } from '../support/webhook-inbox.js';

const saved = { ...process.env };
const open = inboxPerTest();

beforeAll(() => {
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|NOTIFY_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
});
afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

describe('a webhook asking for live of a dry-run function', () => {
  it('is refused 403 with a failed run on record (it wrote none), and no message (a caller\'s request is answered to the caller)', async () => {
    const inbox = await open();
    Object.assign(process.env, { REDEEM_MODE: 'dry-run', WEBHOOK_SECRET: 'webhook-secret-value', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'notify-secret' });
    const { httpEvent, signedHeaders } = await import('../support/fc.js');
    const body = '{"mode":"live"}';
    const stdio = captureStdio();
    const struct = (await handler(httpEvent({ body, headers: signedHeaders(body) }), fcContext({ requestId: 'req-escalate' }))) as { statusCode: number };
    vi.restoreAllMocks();
    expect(struct.statusCode).toBe(403);
    const records = stdio.text.split('\n').filter((line) => line.startsWith('{"kind"')).map((line) => JSON.parse(line));
    expect(records.find((r) => r.kind === 'run'), 'no run record').toMatchObject({ outcome: 'failed', trigger: 'webhook', error_code: 'escalation-refused' });
    expect(inbox.bodies).toHaveLength(0);
  });
});
