/**
 * More records than one PutLogs request takes (4,096 logs) travel in several requests. When a later one
 * is refused after an earlier one was accepted, only the refused records may travel again: SLS has no
 * idempotency, so resending the accepted ones writes every one of them twice (a decision record with
 * `action: redeem` twice reads as two orders in the console's query).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { createLogger } from '../../shared/log/index.js';
import { slsDeliver } from '../../shared/run/run.js';
import { Recorder } from '../../shared/run/recorder.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';

/** A stand-in PutLogs: 404 LogStoreNotExist for the requests in `refused` (1-based), 200 for the others. */
const refused = new Set([1, 3]);
const accepted: Buffer[] = [];
let requests = 0;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    requests++;
    if (refused.has(requests)) {
      res.writeHead(404, { 'content-type': 'application/json', 'x-log-requestid': 'REFUSED' }).end('{"errorCode":"LogStoreNotExist","errorMessage":"logstore results does not exist"}');
      return;
    }
    accepted.push(Buffer.concat(chunks));
    res.writeHead(200, { 'x-log-requestid': 'OK' }).end();
  });
});

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('a delivery refused half way', () => {
  it('5,000 records, the second of two requests refused: after the next delivery each record is in SLS exactly once', async () => {
    const { port } = server.address() as AddressInfo;
    const deliver = slsDeliver({ sls: { endpoint: `http://127.0.0.1:${port}`, project: 'audit', logstore: 'results' } }, EMULATOR_CREDENTIALS, systemClock, 'test');
    const recorder = new Recorder(createLogger(() => undefined), deliver, systemClock, Date.now() + 60_000);
    // The 500th record starts a background delivery (refused); the rest wait behind it.
    for (let i = 0; i < 5_000; i++) recorder.write({ kind: 'submission', domain: `d-${i}.com`, expiration_ms: 1 });
    expect((await recorder.finish(Date.now() + 20_000)).delivered).toBe(false);
    expect((await recorder.finish(Date.now() + 20_000)).delivered).toBe(true);
    const counts = new Map<string, number>();
    for (const body of accepted) for (const [domain] of body.toString('latin1').matchAll(/d-\d+\.com/g)) counts.set(domain, (counts.get(domain) ?? 0) + 1);
    expect(counts.size).toBe(5_000);
    expect([...counts.values()].filter((n) => n > 1)).toHaveLength(0);
  });
});
