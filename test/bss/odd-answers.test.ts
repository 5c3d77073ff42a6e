/**
 * QueryAccountBalance answers a stand-in gives from the BSS facts (accounts-and-billing.md §1.1: Data's
 * amounts as strings, errors NotApplicable / NotAuthorized) in shapes the emulator never writes: RequestId
 * or Data null, Success as the text "false", amounts with a currency sign or another locale's separators.
 * A refusal stays that refusal (with its code), an amount it cannot read is never a balance.
 */
import { describe, expect, it } from 'vitest';
import { BssClient } from '../../shared/bss/client.js';
import { BssApiError, BssForbiddenError } from '../../shared/bss/errors.js';
import { systemClock } from '../../shared/clock/index.js';
import { cannedServer, type CannedAnswer } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';

async function ask(answer: CannedAnswer) {
  const server = await cannedServer(() => answer);
  try {
    const client = new BssClient({ endpoint: server.url, credentials: EMULATOR_CREDENTIALS, clock: systemClock, deadlineMs: Date.now() + 10_000, retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 2 } });
    const result = await client.queryAccountBalance().catch((e: unknown) => e);
    return { result, requests: server.requests.length };
  } finally {
    await server.close();
  }
}

const NOT_AUTHORIZED = { Code: 'NotAuthorized', Message: 'You are not authorized to do this operation.' };

describe('BSS refusals in shapes the emulator never writes', () => {
  const refusals: ReadonlyArray<readonly [string, CannedAnswer]> = [
    ['HTTP 400, RequestId null', { status: 400, body: { ...NOT_AUTHORIZED, RequestId: null } }],
    ['HTTP 200, Success false, RequestId null', { body: { ...NOT_AUTHORIZED, RequestId: null, Success: false } }],
    ['HTTP 200, Success "false", Data null', { body: { ...NOT_AUTHORIZED, RequestId: 'r', Success: 'false', Data: null } }],
    ['HTTP 200, Success "false", RequestId null, Data null', { body: { ...NOT_AUTHORIZED, RequestId: null, Success: 'false', Data: null } }],
    ['HTTP 200, Success false, Message null, Data null', { body: { Code: 'NotAuthorized', Message: null, RequestId: 'r', Success: false, Data: null } }],
  ];
  for (const [label, answer] of refusals) {
    it(`${label}: NotAuthorized, a BssForbiddenError, asked once`, async () => {
      const { result, requests } = await ask(answer);
      expect(result).toBeInstanceOf(BssForbiddenError);
      expect(result).toMatchObject({ code: 'NotAuthorized' });
      expect(requests).toBe(1);
    });
  }

  it('HTTP 200, Success "false", Code NotApplicable: that refusal, not a balance', async () => {
    const { result } = await ask({ body: { RequestId: 'r', Success: 'false', Code: 'NotApplicable', Message: 'This API is not applicable for caller.', Data: null } });
    expect(result).toBeInstanceOf(BssApiError);
    expect(result).toMatchObject({ code: 'NotApplicable' });
  });
});

describe('a balance answered with RequestId null', () => {
  it('is the balance (RequestId is only quoted)', async () => {
    const { result } = await ask({ body: { RequestId: null, Success: true, Code: '200', Message: 'Successful!', Data: { AvailableAmount: '1,000.00', Currency: 'CNY' } } });
    expect(result).toMatchObject({ available: 1000, currency: 'CNY' });
  });
});

describe('amounts it cannot read are never a balance', () => {
  for (const amount of ['¥1,000.00', '$1,000.00', '1,000.00 CNY', '1.000,00', '1 000.00', '1,00', '+100', '1e3', '１０００', '', 'NaN', '0x10', '1,0000.00']) {
    it(`AvailableAmount ${JSON.stringify(amount)}: a MalformedResponseError naming Data.AvailableAmount`, async () => {
      const { result } = await ask({ body: { RequestId: 'r', Success: true, Code: '200', Data: { AvailableAmount: amount, Currency: 'CNY' } } });
      expect(result).toMatchObject({ name: 'MalformedResponseError', field: 'Data.AvailableAmount' });
    });
  }
  it('MybankCreditAmount "¥100.00" beside a readable balance: malformed too (it is taken off the balance)', async () => {
    const { result } = await ask({ body: { RequestId: 'r', Success: true, Code: '200', Data: { AvailableAmount: '1,000.00', MybankCreditAmount: '¥100.00', Currency: 'CNY' } } });
    expect(result).toMatchObject({ name: 'MalformedResponseError', field: 'Data.MybankCreditAmount' });
  });
});

describe('a balance answered with Success as text', () => {
  it('Success "true": the balance', async () => {
    const { result } = await ask({ body: { RequestId: 'r', Success: 'true', Code: '200', Message: 'Successful!', Data: { AvailableAmount: '250.00', Currency: 'USD' } } });
    expect(result).toMatchObject({ available: 250, currency: 'USD' });
  });
});

describe('Success "false" as text beside a Data with amounts', () => {
  it('is the refusal, never a balance', async () => {
    const { result } = await ask({ body: { RequestId: 'r', Success: 'false', Code: 'NotApplicable', Message: 'This API is not applicable for caller.', Data: { AvailableAmount: '0.00', Currency: 'CNY' } } });
    expect(result).toBeInstanceOf(BssApiError);
    expect(result).toMatchObject({ code: 'NotApplicable' });
  });
});

describe('a refusal beside a Data with amounts, RequestId null', () => {
  it('Success false: the refusal, never a balance', async () => {
    const { result } = await ask({ body: { RequestId: null, Success: false, Code: 'NotApplicable', Message: 'This API is not applicable for caller.', Data: { AvailableAmount: '5,000.00', Currency: 'CNY' } } });
    expect(result).toBeInstanceOf(BssApiError);
    expect(result).toMatchObject({ code: 'NotApplicable' });
  });
});

describe('Success false with no Code beside a Data with amounts', () => {
  it('is never a balance', async () => {
    const { result } = await ask({ body: { RequestId: 'r', Success: false, Message: 'failed', Data: { AvailableAmount: '5,000.00', Currency: 'CNY' } } });
    expect(result).not.toMatchObject({ available: 5000 });
    expect(result).toBeInstanceOf(Error);
  });
});
