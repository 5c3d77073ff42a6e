import { createHmac, createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSS_ENDPOINTS, BssClient } from '../../shared/bss/client.js';
import { BssApiError, BssForbiddenError } from '../../shared/bss/errors.js';
import { DomainApiError, MalformedResponseError, NetworkError } from '../../shared/domain-api/errors.js';
import { systemClock } from '../../shared/clock/index.js';
import type { Emulator } from '../emulator/server.js';
import { cannedServer, closedPort } from '../support/canned-server.js';
import { ALL_TASKS, EMULATOR_CREDENTIALS, clientFor, recordingRuntime, startEmulator } from '../support/emulator.js';

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 20, seed: 5, balance: 1000, currency: 'CNY' });
});
afterAll(() => emulator.close());

const bss = (options: Partial<ConstructorParameters<typeof BssClient>[0]> = {}) =>
  new BssClient({ endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS, clock: systemClock, deadlineMs: Date.now() + 30_000, ...options });

describe('BSS QueryAccountBalance against the emulator', () => {
  it('is signed (the emulator verifies ACS3 with the official util) and answers the balance and currency', async () => {
    const client = bss();
    expect(await client.queryAccountBalance()).toEqual({ available: 1000, trustPay: 0, currency: 'CNY', requestId: expect.any(String) });
    expect(client.calls).toBe(1);
    expect(emulator.calls.at(-1)).toMatchObject({ action: 'QueryAccountBalance', code: '200', status: 200 });
  });

  it('a wrong secret is refused by the emulator: the signature really is checked', async () => {
    const error = await bss({ credentials: { ...EMULATOR_CREDENTIALS, accessKeySecret: 'wrong' } }).queryAccountBalance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BssApiError);
    expect(error).toMatchObject({ code: 'SignatureDoesNotMatch' });
  });

  it('reads an amount with a thousands separator, and a negative one (arrears)', async () => {
    emulator.bss.balance = '12,345.67';
    emulator.bss.currency = 'USD';
    expect(await bss().queryAccountBalance()).toMatchObject({ available: 12345.67, currency: 'USD' });
    emulator.bss.balance = '-3.50';
    expect(await bss().queryAccountBalance()).toMatchObject({ available: -3.5 });
    emulator.bss.balance = 1000;
    emulator.bss.currency = 'CNY';
  });

  it('never guesses: an amount it cannot read is a MalformedResponseError naming the field', async () => {
    for (const text of ['1.000,00', '', 'N/A', '1,00', '12e3']) {
      emulator.bss.balance = text;
      const error = await bss({ retry: { maxAttempts: 1 } }).queryAccountBalance().catch((e: unknown) => e);
      expect(error, text).toBeInstanceOf(MalformedResponseError);
      expect(error).toMatchObject({ action: 'QueryAccountBalance', field: 'Data.AvailableAmount' });
    }
    emulator.bss.balance = 1000;
  });

  it('--deny QueryAccountBalance answers 403 Forbidden with the gateway error body, as a BssForbiddenError', async () => {
    emulator.deny.set(['QueryAccountBalance']);
    try {
      const raw = await fetch(`${emulator.url}/`, { method: 'POST' }); // unsigned: the signature check comes first
      expect(raw.status).toBe(400);
      const error = await bss().queryAccountBalance().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BssForbiddenError);
      expect(error).toBeInstanceOf(DomainApiError);
      expect(error).toMatchObject({ code: 'Forbidden', httpStatus: 403, serverMessage: 'User not authorized to operate on the specified resource.' });
      expect(emulator.calls.at(-1)).toMatchObject({ action: 'QueryAccountBalance', code: 'Forbidden', status: 403 });
    } finally {
      emulator.deny.set([]);
    }
  });

  it('retries throttling (waiting what the server asks) and 5xx, within the budget', async () => {
    emulator.faults.add({ kind: 'throttle', action: 'QueryAccountBalance', count: 1, retryAfterMs: 700 }, { kind: '5xx', action: 'QueryAccountBalance', count: 1 });
    const { waits, clock } = recordingRuntime();
    const client = bss({ clock });
    expect(await client.queryAccountBalance()).toMatchObject({ available: 1000 });
    expect(client.calls).toBe(3);
    expect(waits[0]).toBe(700);
  });

  it('stops at the deadline: a read that keeps failing throws its last error', async () => {
    emulator.faults.add({ kind: '5xx', action: 'QueryAccountBalance', count: 50 });
    let now = Date.now();
    const clock = { sleep: async (ms: number) => void (now += ms), now: () => now, random: () => 1 };
    const client = bss({ clock, deadlineMs: now + 1_000, retry: { baseDelayMs: 200 } });
    const error = await client.queryAccountBalance().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ServiceUnavailable', httpStatus: 503 });
    expect(client.calls).toBeLessThan(6);
    emulator.faults.clear();
  });

  it('POST /__emulator/deny denies any product\'s action, the Domain API\'s too, and an empty body clears it', async () => {
    const set = await fetch(`${emulator.url}/__emulator/deny`, { method: 'POST', body: 'QueryTaskList, QueryAccountBalance' });
    expect(await set.json()).toEqual({ deny: ['QueryTaskList', 'QueryAccountBalance'] });
    const error = await clientFor(emulator).queryTaskList(ALL_TASKS).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'Forbidden', httpStatus: 403 });
    await fetch(`${emulator.url}/__emulator/deny`, { method: 'POST', body: '' });
    await expect(clientFor(emulator).queryTaskList(ALL_TASKS)).resolves.toMatchObject({ items: expect.any(Array) });
    await expect(bss().queryAccountBalance()).resolves.toMatchObject({ currency: 'CNY' });
  });

  it('the emulator\'s Date header follows its clock', async () => {
    const shifted = await startEmulator({ domains: 1, now: () => Date.now() + 3_600_000 });
    try {
      const answer = await fetch(`${shifted.url}/__emulator/state?domains=none`);
      expect(Math.abs(Date.parse(answer.headers.get('date')!) - (Date.now() + 3_600_000))).toBeLessThan(5_000);
    } finally {
      await shifted.close();
    }
  });
});

describe('BSS answers the emulator never gives', () => {
  it('HTTP 200 with Success false is an error with its code (NotApplicable)', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r1', Success: false, Code: 'NotApplicable', Message: 'This API is not applicable for caller.' } }));
    try {
      const error = await bss({ endpoint: server.url, retry: { maxAttempts: 1 } }).queryAccountBalance().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BssApiError);
      expect(error).toMatchObject({ code: 'NotApplicable', httpStatus: 200, requestId: 'r1' });
      expect(error).not.toBeInstanceOf(BssForbiddenError);
    } finally {
      await server.close();
    }
  });

  it('HTTP 200 with Success false and HttpStatusCode 500 (UnknownError) is a server fault: asked again, then the balance is read', async () => {
    let n = 0;
    const server = await cannedServer(() =>
      ++n === 1
        ? { body: { RequestId: 'r-fault', Success: false, Code: 'UnknownError', Message: 'The request processing has failed due to some unknown error.', HttpStatusCode: 500 } }
        : { body: { RequestId: 'r-ok', Success: true, Code: '200', Data: { AvailableAmount: '1,000.00', Currency: 'CNY' } } },
    );
    try {
      const balance = await bss({ endpoint: server.url, retry: { maxAttempts: 2, baseDelayMs: 1 } }).queryAccountBalance();
      expect(n).toBe(2);
      expect(balance).toMatchObject({ currency: 'CNY' });
    } finally {
      await server.close();
    }
  });

  it('HTTP 200 with an error Code and no Success field nor Data is that error (NotAuthorized, a BssForbiddenError), not a malformed answer asked again', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r6', Code: 'NotAuthorized', Message: 'You are not authorized to do this operation.' } }));
    try {
      const error = await bss({ endpoint: server.url }).queryAccountBalance().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BssForbiddenError);
      expect(error).toMatchObject({ code: 'NotAuthorized', httpStatus: 200, requestId: 'r6' });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('NotAuthorized is a BssForbiddenError too; a missing Currency is malformed', async () => {
    const server = await cannedServer((_req, n) =>
      n === 1 ? { status: 400, body: { RequestId: 'r2', Code: 'NotAuthorized', Message: 'no' } } : { body: { RequestId: 'r3', Success: true, Data: { AvailableAmount: '5.00' } } },
    );
    try {
      const client = bss({ endpoint: server.url, retry: { maxAttempts: 1 } });
      await expect(client.queryAccountBalance()).rejects.toBeInstanceOf(BssForbiddenError);
      await expect(client.queryAccountBalance()).rejects.toMatchObject({ name: 'MalformedResponseError', field: 'Data.Currency', requestId: 'r3' });
    } finally {
      await server.close();
    }
  });

  it('caps the body it reads: a huge answer is malformed, not buffered', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r4', Success: true, Data: { AvailableAmount: '1.00', Currency: 'CNY', Junk: 'x'.repeat(200_000) } } }));
    try {
      const error = await bss({ endpoint: server.url, retry: { maxAttempts: 1 } }).queryAccountBalance().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect((error as Error).message).toContain('larger than 65536 bytes');
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('a refused connection is a NetworkError (after retries)', async () => {
    const { clock } = recordingRuntime();
    const client = bss({ endpoint: `http://127.0.0.1:${await closedPort()}`, clock, retry: { maxAttempts: 2 } });
    const error = await client.queryAccountBalance().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(client.calls).toBe(2);
  });

  it('sends the RPC request the documentation describes: POST /, x-acs-action and x-acs-version, an ACS3 signature', async () => {
    const server = await cannedServer(() => ({ body: { RequestId: 'r5', Success: true, Data: { AvailableAmount: '1.00', Currency: 'JPY' } } }));
    try {
      await bss({ endpoint: server.url }).queryAccountBalance();
      const req = server.requests[0]!;
      expect(req.method).toBe('POST');
      expect(req.url).toBe('/');
      expect(req.headers).toMatchObject({ 'x-acs-action': 'QueryAccountBalance', 'x-acs-version': '2017-12-14', 'x-acs-security-token': 'emulator-sts-token' });
      // The signature recomputed here with node:crypto from the documented ACS3 steps.
      const signed = String(req.headers.authorization).match(/SignedHeaders=([^,]+),Signature=([0-9a-f]+)$/)!;
      const names = signed[1]!.split(';');
      const canonicalHeaders = names.map((n) => `${n}:${String(req.headers[n]).trim()}\n`).join('');
      const emptyHash = createHash('sha256').update('').digest('hex');
      const canonical = `POST\n/\n\n${canonicalHeaders}\n${signed[1]}\n${emptyHash}`;
      const toSign = `ACS3-HMAC-SHA256\n${createHash('sha256').update(canonical).digest('hex')}`;
      expect(signed[2]).toBe(createHmac('sha256', EMULATOR_CREDENTIALS.accessKeySecret).update(toSign).digest('hex'));
    } finally {
      await server.close();
    }
  });

  it('the endpoints of the two sites', () => {
    expect(BSS_ENDPOINTS).toEqual({ cn: 'https://business.aliyuncs.com', intl: 'https://business.ap-southeast-1.aliyuncs.com' });
    expect(bss({ site: 'cn', endpoint: undefined }).endpoint).toBe('https://business.aliyuncs.com');
    expect(bss({ endpoint: undefined }).endpoint).toBe('https://business.ap-southeast-1.aliyuncs.com');
  });
});
