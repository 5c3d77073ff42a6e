import { systemClock } from '../../shared/clock/index.js';
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchLogs, MAX_LOGS_PER_REQUEST, SlsClient, slsBaseUrl } from '../../shared/sls/client.js';
import { encodeLogGroup } from '../../shared/sls/log-group.js';
import { contentMd5, slsAuthorization, slsSignature, slsStringToSign } from '../../shared/sls/signature.js';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, recordingRuntime, startEmulator } from '../support/emulator.js';
import { vectors, vectorsOf } from '../support/vectors.js';

const require = createRequire(import.meta.url);
const LogGroup = protobuf.loadSync(require.resolve('@alicloud/log/lib/sls.proto')).lookupType('sls.LogGroup');

describe('LOG v1 signature vectors', () => {
  const sls = vectorsOf('SLS v1 (LOG, HMAC-SHA1)');
  it('covers every SLS v1 vector', () => expect(sls.length).toBe(7));
  for (const vector of sls) {
    it(vector.id, () => {
      const { inputs, expected } = vector;
      const toSign = slsStringToSign({ method: inputs.method, path: inputs.path, query: Object.entries(inputs.query), headers: inputs.headers });
      const want = expected.string_to_sign ?? vector.derived?.string_to_sign;
      if (want) expect(toSign).toBe(want);
      const signature = slsSignature(inputs.access_key_secret, toSign);
      expect(signature).toBe(expected.signature);
      if (expected.authorization) expect(slsAuthorization(inputs.access_key_id, signature)).toBe(expected.authorization);
      if (inputs.body_hex && expected.content_md5) expect(contentMd5(Buffer.from(inputs.body_hex, 'hex'))).toBe(expected.content_md5);
    });
  }
});

describe('LogGroup encoding', () => {
  const fixture = vectors.find((v) => v.id === 'self-sls-pb-loggroup')!;
  it('reproduces the fixture byte for byte', () => {
    const g = fixture.inputs.loggroup;
    const bytes = encodeLogGroup({
      logs: g.Logs.map((l: any) => ({ time: l.Time, contents: l.Contents.map((c: any) => [c.Key, c.Value]) })),
      topic: g.Topic,
      source: g.Source,
    });
    expect(Buffer.from(bytes).toString('hex')).toBe(fixture.expected.loggroup_hex);
    expect(contentMd5(bytes)).toBe(fixture.expected.loggroup_md5);
  });

  it('decodes with protobufjs and the official schema: unicode, empty values, large times', () => {
    const bytes = encodeLogGroup({
      logs: [
        { time: 1_764_550_800, contents: [['domain', '例子.中国'], ['empty', ''], ['emoji', '😀']] },
        { time: 4_000_000_000, contents: [['k', 'v'.repeat(300)]] },
      ],
      topic: 'domain-redeemer',
    });
    const decoded = LogGroup.toObject(LogGroup.decode(bytes)) as any;
    expect(decoded.Topic).toBe('domain-redeemer');
    expect(decoded.Logs[0].Time).toBe(1_764_550_800);
    expect(decoded.Logs[0].Contents).toEqual([{ Key: 'domain', Value: '例子.中国' }, { Key: 'empty', Value: '' }, { Key: 'emoji', Value: '😀' }]);
    expect(decoded.Logs[1].Time).toBe(4_000_000_000);
    expect(decoded.Logs[1].Contents[0].Value).toHaveLength(300);
  });

  it('batches at 4,096 logs and under 3 MB', () => {
    const small = Array.from({ length: 10_000 }, (_, i) => ({ time: 1, contents: [['n', String(i)]] as Array<[string, string]> }));
    expect(batchLogs(small).map((b) => b.length)).toEqual([MAX_LOGS_PER_REQUEST, MAX_LOGS_PER_REQUEST, 10_000 - 2 * MAX_LOGS_PER_REQUEST]);
    const big = Array.from({ length: 8 }, () => ({ time: 1, contents: [['v', 'x'.repeat(1024 * 1024)]] as Array<[string, string]> }));
    const batches = batchLogs(big);
    expect(batches.flat()).toHaveLength(8);
    for (const batch of batches) expect(encodeLogGroup({ logs: batch }).length).toBeLessThanOrEqual(3 * 1024 * 1024);
  });
});

describe('endpoint handling', () => {
  it('prefixes the project for a real endpoint; names it in a header for a loopback emulator', () => {
    expect(slsBaseUrl({ endpoint: 'cn-hangzhou.log.aliyuncs.com', project: 'p', logstore: 'l' })).toEqual({ baseUrl: 'https://p.cn-hangzhou.log.aliyuncs.com', projectHeader: undefined });
    expect(slsBaseUrl({ endpoint: 'http://cn-hangzhou-intranet.log.aliyuncs.com', project: 'p', logstore: 'l' }).baseUrl).toBe('http://p.cn-hangzhou-intranet.log.aliyuncs.com');
    expect(slsBaseUrl({ endpoint: 'http://127.0.0.1:8080', project: 'p', logstore: 'l' })).toEqual({ baseUrl: 'http://127.0.0.1:8080', projectHeader: 'p' });
  });
});

describe('PutLogs against the emulator', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startEmulator({ domains: 1 });
  });
  afterAll(() => emulator.close());

  it('our client delivers; the emulator verifies signature, MD5 and raw size and decodes the body', async () => {
    const client = new SlsClient({ target: { endpoint: emulator.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock: systemClock });
    const time = Math.floor(Date.now() / 1000);
    await client.putLogs([{ time, contents: [['kind', 'run'], ['domain', 'a.com']] }], { topic: 'domain-redeemer', source: 'test' }, Date.now() + 10_000);
    expect(emulator.sls.logs.at(-1)).toEqual({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'test', time, contents: { kind: 'run', domain: 'a.com' } });
  });

  it('a wrong secret is refused with SignatureNotMatch and is not retried', async () => {
    const client = new SlsClient({ target: { endpoint: emulator.url, project: 'audit', logstore: 'results' }, credentials: { ...EMULATOR_CREDENTIALS, accessKeySecret: 'nope' }, clock: systemClock });
    await expect(client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['a', 'b']] }], {}, Date.now() + 10_000)).rejects.toMatchObject({ code: 'SignatureNotMatch', httpStatus: 401, message: expect.stringMatching(/^SLS PutLogs failed: SignatureNotMatch: .*\(HTTP 401/) });
    expect(client.calls).toBe(1);
  });

  it('a refused GetLogs names GetLogs, not PutLogs, so the user checks the read permission', async () => {
    const client = new SlsClient({ target: { endpoint: emulator.url, project: 'audit', logstore: 'results' }, credentials: { ...EMULATOR_CREDENTIALS, accessKeySecret: 'nope' }, clock: systemClock });
    const now = Math.floor(Date.now() / 1000);
    await expect(client.newest('kind: run', now - 60, now + 1, Date.now() + 10_000)).rejects.toMatchObject({ request: 'GetLogs', code: 'SignatureNotMatch', message: expect.stringMatching(/^SLS GetLogs failed: SignatureNotMatch: /) });
  });

  it('an outage (503) is retried with backoff', async () => {
    emulator.faults.add({ kind: 'sls-down', count: 2 });
    const { waits, clock } = recordingRuntime();
    const client = new SlsClient({ target: { endpoint: emulator.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock });
    await client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['a', 'b']] }], {}, Date.now() + 10_000);
    expect(client.calls).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('the official @alicloud/log client posts to the emulator and reads back with GetLogs', async () => {
    const SlsOfficial = require('@alicloud/log');
    const port = new URL(emulator.url).port;
    const client = new SlsOfficial({ ...EMULATOR_CREDENTIALS, endpoint: `http://emulator.test:${port}` });
    // Every name resolves to the loopback emulator, so the real "{project}.{endpoint}" host can be used.
    const agent = new Agent({ lookup: ((_host: string, options: any, callback: any) => (options?.all ? callback(null, [{ address: '127.0.0.1', family: 4 }]) : callback(null, '127.0.0.1', 4))) as never });
    const now = Math.floor(Date.now() / 1000);
    await client.postLogStoreLogs('official', 'store', { logs: [{ timestamp: now, content: { kind: 'decision', domain: 'x.com' } }], topic: 't' }, { agent });
    expect(emulator.sls.logs.at(-1)).toMatchObject({ project: 'official', logstore: 'store', topic: 't', contents: { kind: 'decision', domain: 'x.com' } });
    const rows = await client.getLogs('official', 'store', new Date((now - 60) * 1000), new Date((now + 60) * 1000), { query: 'kind: decision' }, { agent });
    expect(rows).toEqual([expect.objectContaining({ domain: 'x.com', kind: 'decision' })]);
  });
});
