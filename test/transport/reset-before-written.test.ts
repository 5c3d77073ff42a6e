/**
 * A connection reset before a byte of the submission was written (a firewall or load balancer that resets
 * the connection as it opens, a TLS middlebox that resets the handshake): the registrar cannot have read
 * the request, so the order is certainly not placed and safe to send again. A reset after the whole
 * request was written stays "outcome unknown", never sent again. The transport tells the two apart
 * (requestWritten, shared/http/transport.ts), as the chat robots' delivery does.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError, OutcomeUnknownError } from '../../shared/domain-api/index.js';
import { clientAt } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';

const EXPIRY = Date.UTC(2026, 9, 1);
let closing: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closing) await close();
  closing = [];
});

/** A TCP front whose `resetFirst` first connections are reset as they open (nothing read), the rest piped to `target`. */
async function front(resetFirst: number, onData: 'reset-on-connect' | 'reset-on-data', target?: RegistrarStandin): Promise<{ url: string; connections: () => number }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    if (++connections <= resetFirst) {
      if (onData === 'reset-on-connect') return void socket.resetAndDestroy();
      return void socket.once('data', () => socket.resetAndDestroy());
    }
    const port = Number(new URL(target!.url).port);
    const upstream = createConnection(port, '127.0.0.1');
    upstream.on('error', () => socket.destroy());
    socket.pipe(upstream).pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connections: () => connections };
}

const order = { domainName: 'reset.com', currentExpirationDate: EXPIRY };
const quick = { retry: { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5 } };

describe('a submission whose connection is reset before any byte of it was written', () => {
  it('every attempt reset as the connection opens: known not placed (NetworkError, sent false), never "outcome unknown"', async () => {
    const gate = await front(Number.POSITIVE_INFINITY, 'reset-on-connect');
    const error = await clientAt(gate.url, quick).saveSingleTaskForCreatingOrderRedeem(order).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as NetworkError).sent).toBe(false);
    expect(gate.connections()).toBe(3);
  });

  it('over HTTPS, reset in the TLS handshake (a middlebox refusing the ClientHello): known not placed, sent again', async () => {
    const gate = await front(Number.POSITIVE_INFINITY, 'reset-on-data');
    const error = await clientAt(gate.url.replace('http:', 'https:'), quick).saveSingleTaskForCreatingOrderRedeem(order).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OutcomeUnknownError);
    expect((error as NetworkError).sent).toBe(false);
    expect(gate.connections()).toBe(3);
  });

  it('the first attempt reset as the connection opens: sent again, the order placed once', async () => {
    const standin = await startStandin({ domains: [domainItem(order.domainName, EXPIRY)] });
    closing.push(() => standin.close());
    const gate = await front(1, 'reset-on-connect', standin);
    const placed = await clientAt(gate.url, quick).saveSingleTaskForCreatingOrderRedeem(order);
    expect(placed).toMatchObject({ attempts: 2, taskNo: standin.orders[0]?.taskNo });
    expect(standin.orders).toHaveLength(1);
  });
});

describe('a submission whose connection is reset after the whole request was written', () => {
  it('is "outcome unknown" and never sent again', async () => {
    const gate = await front(Number.POSITIVE_INFINITY, 'reset-on-data');
    const error = await clientAt(gate.url, quick).saveSingleTaskForCreatingOrderRedeem(order).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutcomeUnknownError);
    expect(gate.connections()).toBe(1);
  });
});
