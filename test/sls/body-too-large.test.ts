/**
 * A logstore that refuses a request as too large (413 PostBodyTooLarge, sls.md section 2.3) though it is
 * within the client's envelope: the limits changed over the years and the sources disagree (10 MB now,
 * 3 MB and 4,096 logs before, "5 MB per log group" elsewhere; section 2.4). Sent again as it was, the
 * request is refused again, and the recorder puts it back in front of every later delivery of the run: no
 * record after it (an order's decision line, which the next instance reads back, the run record) would
 * reach the logstore. Split, each half is within the limit and every record arrives once, in order.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { createLogger } from '../../shared/log/index.js';
import { Recorder } from '../../shared/run/recorder.js';
import { slsDeliver } from '../../shared/run/run.js';
import { SlsClient } from '../../shared/sls/client.js';
import { EMULATOR_CREDENTIALS, recordingRuntime } from '../support/emulator.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';

/** The raw body this logstore takes at most: less than the client's 3 MB envelope. */
const LIMIT = 512 * 1024;
let sls: SlsStandin;
beforeAll(async () => {
  sls = await startSlsStandin({
    keys: keysFor(EMULATOR_CREDENTIALS),
    script: (call) => (call.api === 'PutLogs' && Number(call.headers['x-log-bodyrawsize']) > LIMIT ? { status: 413, errorCode: 'PostBodyTooLarge', errorMessage: `body size ${call.headers['x-log-bodyrawsize']} must little than ${LIMIT}` } : undefined),
  });
});
afterAll(() => sls.close());

const target = () => ({ endpoint: sls.url, project: 'audit', logstore: 'results' });

describe('a request the logstore calls too large', () => {
  it('is split until each part is taken: every log stored once, in order', async () => {
    sls.reset();
    const client = new SlsClient({ target: target(), credentials: EMULATOR_CREDENTIALS, clock: recordingRuntime().clock });
    const now = Math.floor(Date.now() / 1000);
    const logs = Array.from({ length: 600 }, (_, i) => ({ time: now, contents: [['kind', 'decision'], ['n', String(i)], ['pad', 'x'.repeat(4096)]] as Array<[string, string]> }));
    await client.putLogs(logs, { topic: 'domain-redeemer' }, Date.now() + 20_000);
    expect(sls.records().map((r) => r.n)).toEqual(logs.map((_, i) => String(i)));
  });

  it("through the run's recorder: the records after it are not held back with it, and delivery ends ok", async () => {
    sls.reset();
    const deliver = slsDeliver({ sls: target() }, EMULATOR_CREDENTIALS, systemClock, 'test');
    const recorder = new Recorder(createLogger(() => undefined), deliver, systemClock, Date.now() + 60_000);
    // 400 records of about 4 kB each (1.6 MB, one request of the client's), then the last one.
    for (let i = 0; i < 400; i++) recorder.write({ kind: 'submission', domain: `d-${i}-${'y'.repeat(4096)}.com`, expiration_ms: 1 });
    recorder.write({ kind: 'run', outcome: 'completed' });
    expect(await recorder.finish(Date.now() + 20_000)).toMatchObject({ delivered: true });
    expect(sls.records().filter((r) => r.kind === 'submission')).toHaveLength(400);
    expect(sls.records().filter((r) => r.kind === 'run')).toHaveLength(1);
  });

  it('a single log the logstore calls too large: refused as before (nothing to split), not sent again', async () => {
    sls.reset();
    const client = new SlsClient({ target: target(), credentials: EMULATOR_CREDENTIALS, clock: recordingRuntime().clock });
    // 600 kB in one log: within SLS's 1 MB per log and the client's cut, over this logstore's limit.
    const logs = [{ time: Math.floor(Date.now() / 1000), contents: Array.from({ length: 20 }, (_, i) => [`k${i}`, 'x'.repeat(30_000)] as [string, string]) }];
    await expect(client.putLogs(logs, {}, Date.now() + 20_000)).rejects.toThrow(/PostBodyTooLarge/);
    expect(sls.callsOf('PutLogs')).toHaveLength(1);
  });
});

/**
 * A gateway in front of the logstore (nginx's client_max_body_size, an API gateway) that refuses a large
 * body with its own 413 page, not SLS's JSON: nothing of the request reached SLS, so it is split the same.
 */
describe("a gateway's own 413 page in front of the logstore", () => {
  let gateway: Server;
  let url: string;
  beforeAll(async () => {
    gateway = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        if (body.length > LIMIT) return void res.writeHead(413, { 'content-type': 'text/html' }).end('<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></body></html>');
        // Passed on to the logstore as it came (the signature does not cover the host).
        const upstream = new URL(sls.url);
        const forwarded = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        forwarded.end(body);
      });
    });
    await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(gateway.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => gateway.close(() => resolve())));

  it('is split until each part passes: every log stored once, in order', async () => {
    sls.reset();
    const client = new SlsClient({ target: { endpoint: url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock: recordingRuntime().clock });
    const now = Math.floor(Date.now() / 1000);
    const logs = Array.from({ length: 300 }, (_, i) => ({ time: now, contents: [['kind', 'decision'], ['n', String(i)], ['pad', 'x'.repeat(4096)]] as Array<[string, string]> }));
    await client.putLogs(logs, { topic: 'domain-redeemer' }, Date.now() + 20_000);
    expect(sls.records().map((r) => r.n)).toEqual(logs.map((_, i) => String(i)));
  });
});
