import { describe, expect, it } from 'vitest';
import { loadMoneyConfig, priceFor } from '../../shared/config/money.js';

describe('loadMoneyConfig', () => {
  it('unset: the guard is off, minimum 0, nothing else', () => {
    expect(loadMoneyConfig({ REDEEM_PRICES: '', REDEEM_MIN_BALANCE: '  ' })).toEqual({
      value: { prices: undefined, minBalance: 0, maxSpendPerDay: undefined, bssEndpoint: undefined, guard: false },
      problems: [],
    });
  });

  it('REDEEM_CURRENCY: a code of three letters, in upper case; anything else is named', () => {
    expect(loadMoneyConfig({ REDEEM_PRICES: '{"*": 100}', REDEEM_CURRENCY: ' usd ' })).toMatchObject({ value: { currency: 'USD' }, problems: [] });
    const bad = loadMoneyConfig({ REDEEM_PRICES: '{"*": 100}', REDEEM_CURRENCY: 'US$' });
    expect(bad.problems).toEqual([expect.stringMatching(/^REDEEM_CURRENCY: expected a currency code of three letters such as CNY, USD or JPY .*got "US\$"$/)]);
    expect(bad.value.currency).toBeUndefined();
  });

  it('REDEEM_CURRENCY=RMB (the renminbi as many write it) is CNY, the ISO 4217 code BSS answers: not a currency of its own', () => {
    for (const written of ['RMB', 'rmb', ' Rmb ']) expect(loadMoneyConfig({ REDEEM_PRICES: '{"*": 100}', REDEEM_CURRENCY: written })).toMatchObject({ value: { currency: 'CNY' }, problems: [] });
  });

  it('reads prices with keys normalised like REDEEM_TLD_RULES keys (case, dots, Unicode to xn--)', () => {
    const { value, problems } = loadMoneyConfig({
      REDEEM_PRICES: '{".COM": 600, "com.cn": 900.5, "中国": 1200, "*": 1500}',
      REDEEM_MIN_BALANCE: '100',
      REDEEM_MAX_SPEND_PER_DAY: '3000',
      BSS_ENDPOINT: 'http://127.0.0.1:8080/',
    });
    expect(problems).toEqual([]);
    expect({ ...value.prices }).toEqual({ com: 600, 'com.cn': 900.5, 'xn--fiqs8s': 1200, '*': 1500 });
    expect(value).toMatchObject({ minBalance: 100, maxSpendPerDay: 3000, bssEndpoint: 'http://127.0.0.1:8080', guard: true });
  });

  it('names each bad variable and what is wrong, and keeps the guard on and strict', () => {
    const { value, problems } = loadMoneyConfig({
      REDEEM_PRICES: '{"com": -1, "net": "600"}',
      REDEEM_MIN_BALANCE: 'lots',
      BSS_ENDPOINT: 'ftp://x',
    });
    expect(problems).toEqual([
      expect.stringMatching(/^REDEEM_PRICES: prices\.com: expected a price above 0 and at most 1000000000; prices\.net: expected number/),
      'REDEEM_MIN_BALANCE: expected an amount from 0 to 1000000000 in the account\'s currency (e.g. 500 or 99.5), got "lots"',
      'BSS_ENDPOINT: is not an http(s) URL or host name: "ftp://x"',
    ]);
    expect(value.guard).toBe(true);
    expect(value.minBalance).toBe(1_000_000_000);
  });

  // A redemption is never free: a 0 (meant as "unknown", say) made every order of the TLD cost nothing to
  // the balance and the spend cap, which then let through any number of them.
  it('refuses a price of 0, naming its key', () => {
    const { problems } = loadMoneyConfig({ REDEEM_PRICES: '{"com": 600, "net": 0}' });
    expect(problems).toEqual([expect.stringMatching(/^REDEEM_PRICES: prices\.net: expected a price above 0/)]);
  });

  it('refuses non-JSON, an empty table, duplicate keys after normalisation, keys that are not suffixes', () => {
    const problems = (v: string) => loadMoneyConfig({ REDEEM_PRICES: v }).problems;
    expect(problems('com=600')).toEqual(['REDEEM_PRICES: is not JSON; expected e.g. {"com": 600, "cn": 1200, "*": 1500}']);
    expect(problems('{}')).toEqual(['REDEEM_PRICES: has no price; expected e.g. {"com": 600, "*": 1500}']);
    expect(problems('{"com": 1, "COM": 2}')).toEqual(['REDEEM_PRICES: "COM" names the same TLD as another key (com)']);
    expect(problems('{"a b": 1}')[0]).toMatch(/^REDEEM_PRICES: "a b" is not a TLD/);
    // zod drops a "__proto__" key: the table is then empty, never a prototype.
    expect(problems('{"__proto__": 1}')).toEqual(['REDEEM_PRICES: has no price; expected e.g. {"com": 600, "*": 1500}']);
    expect(problems('[600]')[0]).toMatch(/^REDEEM_PRICES: /);
  });

  it('REDEEM_MAX_SPEND_PER_DAY needs REDEEM_PRICES', () => {
    const { value, problems } = loadMoneyConfig({ REDEEM_MAX_SPEND_PER_DAY: '1000' });
    expect(problems).toEqual(['REDEEM_MAX_SPEND_PER_DAY: needs REDEEM_PRICES (the cap adds up the prices of the orders)']);
    expect(value.guard).toBe(true);
  });
});

describe('priceFor', () => {
  const { value } = loadMoneyConfig({ REDEEM_PRICES: '{"cn": 1200, "com.cn": 900, "*": 1500, "com": 600}' });
  const prices = value.prices!;
  it('the longest suffix wins, then "*"', () => {
    expect(priceFor('shop.com.cn', prices)).toEqual({ suffix: 'com.cn', price: 900 });
    expect(priceFor('shop.gov.cn', prices)).toEqual({ suffix: 'cn', price: 1200 });
    expect(priceFor('Shop.COM', prices)).toEqual({ suffix: 'com', price: 600 });
    expect(priceFor('shop.xyz', prices)).toEqual({ suffix: '*', price: 1500 });
  });
  it('no price and no "*": undefined, even for names of Object.prototype members', () => {
    const only = loadMoneyConfig({ REDEEM_PRICES: '{"com": 600}' }).value.prices!;
    expect(priceFor('a.xyz', only)).toBeUndefined();
    expect(priceFor('a.constructor', only)).toBeUndefined();
    expect(priceFor('a.hasownproperty', only)).toBeUndefined();
  });
});

describe('REDEEM_PRICES written twice for one TLD', () => {
  // JSON.parse keeps the last of two equal keys without a word: {"com": 600, ..., "com": 10} (a line pasted
  // twice, an old price left below a new one) priced every .com at 10, and the guard let sixty orders
  // through where the money paid one. Which of the two the person meant, only the person knows.
  it('the same key twice, spelt alike or alike after its escapes, is a problem naming the key; never the last one silently', () => {
    const problems = (v: string) => loadMoneyConfig({ REDEEM_PRICES: v }).problems;
    expect(problems('{"com": 600, "net": 100, "com": 10}')).toEqual(['REDEEM_PRICES: "com" is written twice; keep one price for it']);
    expect(problems('{"com": 600, "\\u0063om": 10}')).toEqual(['REDEEM_PRICES: "com" is written twice; keep one price for it']);
    // A key that only contains another's text is another key.
    expect(problems('{"com": 600, "com.cn": 10, "cn": 5}')).toEqual([]);
  });
});
