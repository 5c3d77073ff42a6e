/**
 * `{"action":"doctor"}` with a run's fields (domains, mode, accounts): the doctor checks the whole
 * configuration and every account, and took them in silence, so a person who sent
 * `{"action":"doctor","domains":["a.com"]}` or `{"action":"doctor","accounts":["1234…"]}` read a report of
 * everything as a look at what they named. Refused, naming the field, before any check runs; through the
 * handler (InvokeFunction, `s invoke -e`) with the registrar unreachable, so that a check that ran would show.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseRunOptions } from '../../shared/run/index.js';
import { captureStdio, fcContext } from '../support/fc.js';

const saved = { ...process.env };
beforeEach(() => {
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|NOTIFY_|ALIBABA_CLOUD_)/.test(key)) delete process.env[key];
  Object.assign(process.env, { DOMAIN_ENDPOINT: 'http://127.0.0.1:9', REDEEM_API_QPS: '1000' });
});
afterEach(() => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const cases: Array<[string, Record<string, unknown>]> = [
  ['domains', { action: 'doctor', domains: ['a.com'] }],
  ['mode', { action: 'doctor', mode: 'live' }],
  ['accounts', { action: 'doctor', accounts: ['1234567890123456'] }],
];

describe('a doctor event with the fields of a run', () => {
  it.each(cases)('%s: refused naming the field', (field, options) => {
    expect(() => parseRunOptions(options)).toThrow(new RegExp(`^Invalid run options: ${field}: `));
    expect(() => parseRunOptions(options)).toThrow(/"action": "doctor"/);
  });

  it.each(cases)('%s, invoked: an error naming the field, not a report', async (field, options) => {
    captureStdio();
    vi.resetModules();
    const { handler } = await import('../../functions/redeem/index.js');
    const outcome = await handler(Buffer.from(JSON.stringify(options)), fcContext({ requestId: `req-doctor-${field}` })).then(
      (result) => ({ result }),
      (error: Error) => ({ error }),
    );
    expect('result' in outcome ? Object.keys(outcome.result as object) : []).toEqual([]);
    expect((outcome as { error: Error }).error.message).toMatch(new RegExp(`${field}: `));
  });

  it('the doctor alone, and with a reason (it names no target), still runs', () => {
    expect(parseRunOptions({ action: 'doctor' })).toEqual({ action: 'doctor' });
    expect(parseRunOptions({ action: 'doctor', reason: 'before going live' })).toEqual({ action: 'doctor', reason: 'before going live' });
  });
});
