/**
 * The timer's payload is the function's own configuration (s.yaml's triggerConfig.payload), not a caller's
 * request: a payload the run refuses fails the same way on every daily run, nothing is ordered, ever, and
 * FC only marks the invocation failed. Like bad configuration, it must be told to a person.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/redeem/index.js';
import { captureStdio, fcContext, fcInvokeHeaders, startRuntime, timerEvent } from '../support/fc.js';
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

describe('a timer payload the run refuses', () => {
  it.each([
    ['a typo in an option', '{"mode":"dryrun"}', /mode/],
    ['live asked for while the function is configured for dry-run', '{"mode":"live"}', /live/],
    ['not JSON', 'mode=dry-run', /not JSON/],
  ])('%s: the daily run fails, and a person is told why', async (_, payload, why) => {
    const inbox = await open();
    Object.assign(process.env, { REDEEM_MODE: 'dry-run', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'notify-secret' });
    await expect(handler(timerEvent(payload), fcContext({ requestId: 'req-timer-payload' }))).rejects.toThrow(why);
    expect(inbox.bodies, 'no message reached the robot').toHaveLength(1);
    const run = inbox.bodies[0]!.run as { outcome: string; error_message: string; trigger: string };
    expect(run).toMatchObject({ outcome: 'failed', trigger: 'timer' });
    expect(run.error_message).toMatch(why);
  });
});

/**
 * A timer event whose payload is not the documented string (an FC, or a stand-in of it, that hands the
 * configured JSON over parsed, or a number): it is still the timer, the function's own trigger. Read as
 * a direct invocation, its {triggerTime, triggerName, payload} were refused as unknown run options, with
 * trigger "invoke" and no message, so every daily run failed with nobody told.
 */
describe('a timer event whose payload is not a string', () => {
  const event = (payload: unknown) => Buffer.from(JSON.stringify({ triggerTime: '2026-12-01T01:00:00Z', triggerName: 'daily', payload }));

  it.each([
    ['the run options as a JSON object (live asked of a dry-run function)', { mode: 'live' }, /live/],
    ['a number', 7, /payload/],
  ])('%s: the daily run fails as the timer\'s, and a person is told why', async (_, payload, why) => {
    const inbox = await open();
    Object.assign(process.env, { REDEEM_MODE: 'dry-run', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'notify-secret' });
    await expect(handler(event(payload), fcContext({ requestId: 'req-timer-odd-payload' }))).rejects.toThrow(why);
    expect(inbox.bodies, 'no message reached the robot').toHaveLength(1);
    const run = inbox.bodies[0]!.run as { outcome: string; error_message: string; trigger: string };
    expect(run).toMatchObject({ outcome: 'failed', trigger: 'timer' });
    expect(run.error_message).toMatch(why);
  });
});

describe('on the custom runtime', () => {
  it('a timer payload that is not JSON (on /invoke): x-fc-status 404, and a person is told', async () => {
    const inbox = await open();
    const env = { REDEEM_MODE: 'dry-run', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'notify-secret' };
    const lines: string[] = [];
    const { server, url } = await startRuntime(env, lines);
    try {
      const res = await fetch(`${url}/invoke`, { method: 'POST', headers: fcInvokeHeaders('req-cr-timer'), body: timerEvent('mode=dry-run') });
      expect([res.status, res.headers.get('x-fc-status')]).toEqual([400, '404']);
      expect(inbox.bodies).toHaveLength(1);
      expect(lines.map((line) => (line.startsWith('{') ? JSON.parse(line) : {})).find((r) => r.kind === 'run')).toMatchObject({ outcome: 'failed', trigger: 'timer', error_code: 'malformed-event' });
    } finally {
      server.close();
    }
  });
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
