/**
 * The run's records against an SLS stand-in that checks every PutLogs the way SLS does (test/support/
 * sls-standin.ts): the v1 signature, MD5, raw size, and the LogGroup's documented limits (a value and a
 * log at most 1 MB, keys `[A-Za-z_][A-Za-z0-9_]*` of at most 128 bytes and not reserved, valid UTF-8).
 * SLS refuses a whole request when one log breaks a rule, so one record the registrar filled with an
 * oversized or odd text must not keep the run's other records out of the logstore.
 */
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlsClient, fitLog } from '../../shared/sls/client.js';
import { systemClock } from '../../shared/clock/index.js';
import { encodeLog } from '../../shared/sls/log-group.js';
import { slsStringToSign } from '../../shared/sls/signature.js';
import { runInProcess, type JsonRecord } from '../safety/harness.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { keysFor, standinStringToSign, startSlsStandin, type SlsStandin, liveRunWithSls } from '../support/sls-standin.js';
import { vectorsOf } from '../support/vectors.js';

const DAY = 86_400_000;
/** A .com domain whose estimated deadline (expiry + 30 + 29 - 1 days) is 3 days away: due. */
const dueExpiry = () => Date.now() - 55 * DAY;

let sls: SlsStandin;
let registrar: RegistrarStandin | undefined;
let submissionAnswer: ((call: StandinCall) => Scripted | undefined) | undefined;

beforeAll(async () => {
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
});
afterAll(() => sls.close());
afterEach(async () => {
  await registrar?.close();
  registrar = undefined;
  submissionAnswer = undefined;
  sls.reset();
});

function env(extra: Record<string, string> = {}): Record<string, string> {
  return liveRunWithSls(registrar!.url, sls.url, extra);
}

async function registrarWith(domains: string[]): Promise<void> {
  registrar = await startStandin({
    domains: domains.map((d) => domainItem(d, dueExpiry())),
    script: (call) => (call.action === 'SaveSingleTaskForCreatingOrderRedeem' ? submissionAnswer?.(call) : undefined),
  });
}

/** Each stdout record is in the logstore exactly once, every field as a string (SLS values are strings). */
function expectEveryRecordOnce(records: readonly JsonRecord[]): void {
  const stored = sls.records().map((r) => JSON.stringify(r));
  for (const record of records) {
    const asSls = JSON.stringify(Object.fromEntries(Object.entries(record).map(([k, v]) => [k, String(v)])));
    expect(stored.filter((s) => s === asSls).length, `${record.kind} ${record.domain ?? record.outcome ?? ''}`).toBe(1);
  }
  expect(stored).toHaveLength(records.length);
}

describe('the stand-in itself', () => {
  it('recomputes the published LOG v1 string to sign and the signature (headers as node:http delivers them)', () => {
    for (const v of vectorsOf('SLS v1 (LOG, HMAC-SHA1)')) {
      const headers = Object.fromEntries(Object.entries(v.inputs.headers as Record<string, string>).map(([k, val]) => [k.toLowerCase(), val]));
      const want = v.expected.string_to_sign ?? v.derived?.string_to_sign;
      const ours = standinStringToSign(v.inputs.method, v.inputs.path, v.inputs.query, headers);
      if (want) expect(ours, v.id).toBe(want);
      // And it agrees with the product's signer on the same input (two implementations, one answer).
      expect(ours, v.id).toBe(slsStringToSign({ method: v.inputs.method, path: v.inputs.path, query: Object.entries(v.inputs.query), headers: v.inputs.headers }));
    }
  });
});

describe('the official @alicloud/log client against the stand-in', () => {
  it('its PutLogs and GetLogs pass every check, so the stand-in is no stricter than SLS is with its own SDK', async () => {
    const require = createRequire(import.meta.url);
    const SlsOfficial = require('@alicloud/log');
    const client = new SlsOfficial({ ...EMULATOR_CREDENTIALS, endpoint: `standin.test:${new URL(sls.url).port}` });
    // Every name resolves to the loopback stand-in, so the SDK's own "{project}.{endpoint}" host is used.
    const agent = new Agent({ lookup: ((_host: string, options: any, callback: any) => (options?.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4))) as never });
    const now = Math.floor(Date.now() / 1000);
    await client.postLogStoreLogs('audit', 'results', { logs: [{ timestamp: now, content: { kind: 'decision', domain: '例子.中国' } }], topic: 'domain-redeemer' }, { agent });
    const rows = await client.getLogs('audit', 'results', new Date((now - 60) * 1000), new Date((now + 60) * 1000), { query: 'kind: decision', line: 1, reverse: true }, { agent });
    expect(sls.calls.map((c) => `${c.api}:${c.verdict}`)).toEqual(['PutLogs:ok', 'GetLogs:ok']);
    expect(rows).toEqual([expect.objectContaining({ kind: 'decision', domain: '例子.中国', __topic__: 'domain-redeemer' })]);
  });
});

describe('a run against the stand-in', () => {
  it('delivers every record once: signature, MD5, raw size, keys and UTF-8 all pass SLS checks', async () => {
    await registrarWith(['alpha.com', 'beta.com']);
    const { summary, records } = await runInProcess(env());
    expect(summary.run).toMatchObject({ outcome: 'completed', sls_delivery: 'ok', count_succeeded: 2 });
    expect(sls.callsOf('PutLogs').filter((c) => c.verdict !== 'ok')).toEqual([]);
    expect(sls.duplicateKeys).toEqual([]);
    expect(sls.logs.every((l) => l.topic === 'domain-redeemer')).toBe(true);
    expectEveryRecordOnce(records);
  });

  it('every record is flat: no value is an object on stdout, none reads "[object Object]" in SLS (live and dry run)', async () => {
    await registrarWith(['alpha.com', 'beta.com']);
    for (const mode of ['live', 'dry-run']) {
      sls.logs.length = 0;
      const { records } = await runInProcess(env({ REDEEM_MODE: mode }));
      const nested = records.flatMap((r) => Object.entries(r).filter(([, v]) => typeof v === 'object' && v !== null).map(([k]) => `${r.kind}.${k}`));
      expect(nested, mode).toEqual([]);
      const objects = sls.records().flatMap((r) => Object.entries(r).filter(([, v]) => v.startsWith('[object')).map(([k]) => `${r.kind}.${k}`));
      expect(objects, mode).toEqual([]);
    }
  });

  it('a registrar error message of 2 MB: the logstore still gets every record (the text cut), and stdout keeps one JSON line per record', async () => {
    await registrarWith(['alpha.com', 'beta.com', 'gamma.com']);
    const huge = `The registry refused: ${'x'.repeat(2 * 1024 * 1024)}`;
    submissionAnswer = (call) => (call.params.DomainName === 'beta.com' ? { status: 400, body: { RequestId: 'R-HUGE', Code: 'InvalidDomainName.Refused', Message: huge } } : undefined);
    const lines: string[] = [];
    const { summary } = await runInProcess(env(), { onLine: (line) => lines.push(line) });
    expect(summary.run).toMatchObject({ count_succeeded: 2, count_failed: 1 });
    // stdout: one parseable JSON object per line, each within what one log entry holds (FC ships each
    // stdout line as one entry; an SLS LogItem is at most 512 KB through Logtail, 1 MB through the API).
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(Math.max(...lines.map((line) => Buffer.byteLength(line)))).toBeLessThanOrEqual(512 * 1024);
    const stdoutBeta = lines.map((line) => JSON.parse(line) as JsonRecord).find((r) => r.kind === 'decision' && r.domain === 'beta.com')!;
    expect(summary.run.sls_error).toBeUndefined();
    expect(summary.run.sls_delivery).toBe('ok');
    const kinds = sls.records().map((r) => `${r.kind}:${r.domain ?? r.outcome}`);
    expect(kinds).toEqual(expect.arrayContaining(['decision:alpha.com', 'decision:beta.com', 'decision:gamma.com', 'run:completed']));
    const beta = sls.records().find((r) => r.kind === 'decision' && r.domain === 'beta.com')!;
    expect(beta.error_code).toBe('InvalidDomainName.Refused');
    expect(beta.error_message!.startsWith('SaveSingleTaskForCreatingOrderRedeem failed: InvalidDomainName.Refused: The registry refused: xxx')).toBe(true);
    expect(Buffer.byteLength(beta.error_message!)).toBeLessThanOrEqual(1024 * 1024);
    // The same record in both places.
    expect(beta.error_message).toBe(stdoutBeta.error_message);
  });
});

describe('a log cut to SLS limits', () => {
  it('many large values, multi-byte text: within 1 MB per value and per log, cut on character boundaries, small logs untouched', () => {
    const small = { time: 1, contents: [['domain', '例子.中国']] as Array<[string, string]> };
    expect(fitLog(small)).toBe(small);
    const big = { time: 1, contents: Array.from({ length: 40 }, (_, i) => [`k${i}`, '例'.repeat(60_000)] as [string, string]) };
    const fitted = fitLog(big);
    expect(encodeLog(fitted).length).toBeLessThanOrEqual(1024 * 1024);
    for (const [key, value] of fitted.contents) {
      expect(key).toMatch(/^k\d+$/);
      expect(value).not.toContain('\uFFFD');
      expect(value).toMatch(/^例+ …\[cut: 180000 bytes in all\]$/);
    }
  });
});

describe('odd Unicode in registrar text', () => {
  it('lone surrogates, NUL, control characters, RTL marks and line separators: valid UTF-8 in SLS, one JSON line on stdout', async () => {
    await registrarWith(['alpha.com', 'beta.com']);
    // Written as JSON escapes, as a registrar would send them; JSON.parse hands the run lone surrogates.
    const odd = 'refus\\u00e9 \\ud800 \\udfff end \\u0000 nul \\u0007\\u001b[31m \\u202eevil\\u202c \\u2028 ls \\u2029 ps \\r\\n crlf';
    submissionAnswer = (call) =>
      call.params.DomainName === 'beta.com' ? { status: 400, body: `{"RequestId":"R-ODD","Code":"Odd\\u202e.Code","Message":"${odd}"}` } : undefined;
    const lines: string[] = [];
    const { summary } = await runInProcess(env(), { onLine: (line) => lines.push(line) });
    expect(summary.run.sls_delivery).toBe('ok');
    expect(sls.callsOf('PutLogs').filter((c) => c.verdict !== 'ok')).toEqual([]);
    for (const line of lines) {
      expect(line).not.toMatch(/[\n\r]/);
      expect(() => JSON.parse(line)).not.toThrow();
    }
    const beta = sls.records().find((r) => r.kind === 'decision' && r.domain === 'beta.com')!;
    expect(beta.error_message).toContain('end \u0000 nul');
    expect(beta.error_message).toContain('\u202eevil');
  });
});

describe('what the run record says of its message', () => {
  it('no channel configured: the run that had news to tell says notify: quiet, not sent (nothing went anywhere)', async () => {
    await registrarWith(['alpha.com']);
    const { summary, records } = await runInProcess(env());
    expect(summary.run.count_succeeded).toBe(1);
    expect(summary.run.notify).toBe('quiet');
    expect(records.at(-1)).toMatchObject({ kind: 'run', notify: 'quiet' });
    expect(Object.keys(records.at(-1)!).filter((k) => k.startsWith('notify_'))).toEqual([]);
  });
});

describe('many records', () => {
  it('10,000 records of about 700 bytes, a logstore enforcing the older 3 MB and 4,096 logs per request: every one delivered once, in order', async () => {
    const strict = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), strictEnvelope: true });
    try {
      const client = new SlsClient({ target: { endpoint: strict.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock: systemClock });
      const time = Math.floor(Date.now() / 1000);
      const logs = Array.from({ length: 10_000 }, (_, i) => ({ time, contents: [['seq', String(i + 1)], ['error_message', '例'.repeat(220)]] as Array<[string, string]> }));
      await client.putLogs(logs, { topic: 'domain-redeemer', source: 'x'.repeat(128) }, Date.now() + 30_000);
      expect(strict.callsOf('PutLogs').map((c) => c.verdict)).toEqual(['ok', 'ok', 'ok']);
      expect(strict.records().map((r) => Number(r.seq))).toEqual(logs.map((_, i) => i + 1));
    } finally {
      await strict.close();
    }
  });
});

describe("the log group's topic and source", () => {
  it('a source over SLS\'s 128 bytes (an FC request id as long as that) is cut to fit, not the reason every record of the run is refused', async () => {
    sls.reset();
    const client = new SlsClient({ target: { endpoint: sls.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock: systemClock });
    const now = Math.floor(Date.now() / 1000);
    const source = `1-${'a'.repeat(160)}`;
    await client.putLogs([{ time: now, contents: [['kind', 'run'], ['fc_request_id', source]] }], { topic: 'domain-redeemer', source }, Date.now() + 10_000);
    expect(sls.records().map((r) => r.fc_request_id)).toEqual([source]);
  });
});
