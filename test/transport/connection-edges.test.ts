/**
 * Connection edges of the submission (money) and the reads, against loopback servers that misbehave at
 * the socket level: a keep-alive connection the server closed as the client reused it, a reset after the
 * request was read, an answer cut short, a Content-Length that lies, a redirect, a gateway's HTML page.
 * A submission is sent again only when it was certainly not accepted (DESIGN section 2); otherwise the run
 * looks in the ledger.
 */
import { describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { invokeFunctionAsync } from '../../shared/accounts/fc-invoke.js';
import { systemClock } from '../../shared/clock/index.js';
import { ALL_TASKS, EMULATOR_CREDENTIALS, clientAt } from '../support/emulator.js';
import { domainItem, pageBody, type Scripted } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from '../safety/standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

describe('a keep-alive connection the server closed as the client reused it', () => {
  it('the submission goes on a connection of its own: the order is placed, not lost to a stale socket as "outcome unknown"', async () => {
    const s = await start({ resetReused: true, domains: [domainItem('stale.com', dueExpiration('stale.com'))] });
    const run = await runAgainst(s);
    // The reads before it left idle keep-alive connections behind; the submission must not ride one.
    expect(s.resets).not.toContain(SAVE);
    expect(s.orders.map((o) => o.domainName)).toEqual(['stale.com']);
    expect(decisionsOf(run).find((d) => d.domain === 'stale.com')).toMatchObject({ outcome: 'succeeded' });
  });
});

/** A raw 200 answer with its body content-coded, as a gateway that compresses whatever it forwards sends it. */
function coded(coding: string, encoded: Buffer): Scripted {
  return { raw: Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: ${coding}\r\ncontent-length: ${encoded.length}\r\n\r\n`), encoded]), then: 'end' };
}

describe('content-coded answers (no Accept-Encoding is sent, which HTTP reads as any coding accepted)', () => {
  for (const [coding, encode] of [
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const) {
    it(`a ${coding} redemption list and ${coding} answers to the submission: decoded, the domain ordered once, no "outcome unknown"`, async () => {
      const name = `${coding}.com`;
      const s = await start({
        domains: [domainItem(name, dueExpiration(name))],
        script: (call, standin) => {
          if (call.action === 'QueryDomainList' && call.params.QueryType === '2') return coded(coding, encode(JSON.stringify(pageBody('QueryDomainList', standin.domains, { pageNum: 1, nextPage: false }))));
          if (call.action !== SAVE) return undefined;
          const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
          return coded(coding, encode(JSON.stringify({ RequestId: 'R', TaskNo: task.taskNo })));
        },
      });
      const run = await runAgainst(s);
      expect(run.summary.run).toMatchObject({ outcome: 'completed' });
      expect(s.orders.map((o) => o.domainName)).toEqual([name]);
      const decision = decisionsOf(run).find((d) => d.domain === name);
      expect(decision).toMatchObject({ outcome: 'succeeded' });
      expect(decision?.error_code).toBeUndefined();
    });
  }

  it('a gzip answer that inflates past the answer bound is cut off as too large, not inflated into memory', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    const server = await start({ script: (call) => (call.action === 'QueryTaskList' ? coded('gzip', bomb) : undefined) });
    const client = clientAt(server.url, { retry: { maxAttempts: 1 } });
    await expect(client.queryTaskList(ALL_TASKS)).rejects.toMatchObject({ name: 'MalformedResponseError', message: expect.stringContaining('larger than') });
  });

  it('a gzip header over a body that is not gzip: an unreadable answer (the submission reconciled and found), not a crash', async () => {
    const s = await start({
      domains: [domainItem('notgzip.com', dueExpiration('notgzip.com'))],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
        return coded('gzip', Buffer.from(JSON.stringify({ RequestId: 'R', TaskNo: task.taskNo })));
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === 'notgzip.com')).toMatchObject({ outcome: 'succeeded', error_code: 'OutcomeUnknown', reconciled: true });
  });
});

describe('answers to a submission cut or garbled after the registrar took the order: never sent again, reconciled and found', () => {
  const cases: ReadonlyArray<readonly [string, (body: string) => Scripted]> = [
    ['a 200 whose body is cut (Content-Length says more, the connection ends)', (b) => ({ raw: `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${b.length + 40}\r\n\r\n${b}`, then: 'end' })],
    ['a reset after ten bytes of the body', (b) => ({ raw: `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${b.length}\r\n\r\n${b.slice(0, 10)}`, then: 'reset' })],
    ['a Content-Length that says less than was sent', (b) => ({ raw: `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${b.length - 5}\r\n\r\n${b}`, then: 'end' })],
    ['a chunked answer cut after its first chunk', (b) => ({ raw: `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n${b.slice(0, 5)}\r\n`, then: 'end' })],
    ['a connection ended in the middle of the headers', () => ({ raw: 'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-len', then: 'end' })],
    ['a reset after the request was read, before any answer byte', () => 'drop'],
    ['a gateway HTML page with 502', () => ({ status: 502, body: '<html><head><title>502 Bad Gateway</title></head><body>Tengine</body></html>', headers: { 'content-type': 'text/html' } })],
    ['a gateway HTML page with 504', () => ({ status: 504, body: '<html><head><title>504 Gateway Time-out</title></head><body>Tengine</body></html>', headers: { 'content-type': 'text/html' } })],
  ];
  for (const [label, answer] of cases) {
    it(label, async () => {
      const name = 'cut.com';
      const s = await start({
        domains: [domainItem(name, dueExpiration(name))],
        script: (call, standin) => {
          if (call.action !== SAVE) return undefined;
          const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
          return answer(JSON.stringify({ RequestId: 'R-cut', TaskNo: task.taskNo }));
        },
      });
      const run = await runAgainst(s);
      expect(s.callsOf(SAVE)).toHaveLength(1);
      expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'succeeded', error_code: 'OutcomeUnknown', reconciled: true });
    });
  }

  it('a complete chunked answer is an answer', async () => {
    const s = await start({
      domains: [domainItem('chunked.com', dueExpiration('chunked.com'))],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        const b = JSON.stringify({ RequestId: 'R', TaskNo: standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!.taskNo });
        return { raw: `HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n5\r\n${b.slice(0, 5)}\r\n${(b.length - 5).toString(16)}\r\n${b.slice(5)}\r\n0\r\n\r\n`, then: 'end' };
      },
    });
    const run = await runAgainst(s);
    expect(decisionsOf(run).find((d) => d.domain === 'chunked.com')).toMatchObject({ outcome: 'succeeded', attempts: 1 });
  });
});

describe('an asynchronous FC invocation (an account run) on a keep-alive connection the server closed', () => {
  it('goes on a connection of its own: the second invocation is accepted, not "may have been queued" after a reset before any answer byte', async () => {
    const served = new WeakSet<object>();
    const resets: number[] = [];
    let accepted = 0;
    const server = createServer((req, res) => {
      if (served.has(req.socket)) {
        resets.push(1);
        return void req.socket.resetAndDestroy();
      }
      served.add(req.socket);
      req.resume();
      req.on('end', () => {
        accepted++;
        res.writeHead(202, { 'x-fc-request-id': `fc-${accepted}` });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const invoke = () => invokeFunctionAsync({ endpoint, functionName: 'redeemer', payload: '{}', credentials: EMULATOR_CREDENTIALS, clock: systemClock, deadlineMs: Date.now() + 10_000 });
      await expect(invoke()).resolves.toEqual({ requestId: 'fc-1' });
      await expect(invoke()).resolves.toEqual({ requestId: 'fc-2' });
      expect(resets).toEqual([]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('a JSON answer that starts with a UTF-8 byte order mark', () => {
  it('is read as JSON (the BOM is no part of the document, RFC 8259 section 8.1 lets a parser ignore it), not "not JSON" on every page', async () => {
    const name = 'bom.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      script: (call, standin) => (call.action === 'QueryDomainList' ? { body: `\uFEFF${JSON.stringify(pageBody('QueryDomainList', standin.domains, { pageNum: 1, nextPage: false }))}` } : undefined),
    });
    const run = await runAgainst(s);
    expect(run.summary.run).toMatchObject({ outcome: 'completed' });
    expect(s.orders.map((o) => o.domainName)).toEqual([name]);
  });
});
