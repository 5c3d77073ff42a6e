import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { domainToASCII } from 'node:url';
import { DAY_MS, DEFAULT_TLD_RULES, estimateDeadline, mergeTldRules, ruleFor } from '../../shared/run/deadline.js';

const now = Date.UTC(2026, 11, 1);

describe('deadline estimate', () => {
  it('gTLD: expiry + 30 + 29 days - 1 day margin', () => {
    const e = estimateDeadline('example.com', now - 50 * DAY_MS, DEFAULT_TLD_RULES, now);
    expect(e).toMatchObject({ tld: 'com', rules: 'known', deadlineMs: now + 8 * DAY_MS, msLeft: 8 * DAY_MS, daysLeft: 8 });
  });

  it('the longest suffix wins: .com.cn is CNNIC, and so is a .cn second level not listed', () => {
    expect(ruleFor('shop.com.cn', DEFAULT_TLD_RULES)).toMatchObject({ tld: 'com.cn', rule: { graceDays: 30, redemptionDays: 14 } });
    expect(ruleFor('shop.bj.cn', DEFAULT_TLD_RULES)).toMatchObject({ tld: 'cn', known: true });
  });

  it('hk has its own window; IDN TLDs in xn-- form are known', () => {
    expect(ruleFor('a.hk', DEFAULT_TLD_RULES).rule).toEqual({ graceDays: 28, redemptionDays: 59 });
    expect(ruleFor('a.xn--fiqs8s', DEFAULT_TLD_RULES)).toMatchObject({ known: true, rule: { redemptionDays: 14 } });
    expect(ruleFor('a.xn--55qx5d', DEFAULT_TLD_RULES).known).toBe(true);
  });

  it('an unknown TLD gets the shortest window and is flagged assumed', () => {
    const e = estimateDeadline('a.xyz', now - 40 * DAY_MS, DEFAULT_TLD_RULES, now);
    expect(e).toMatchObject({ tld: 'xyz', rules: 'assumed', daysLeft: 3 });
  });

  it('past the estimate: days left are negative', () => {
    expect(estimateDeadline('a.cn', now - 50 * DAY_MS, DEFAULT_TLD_RULES, now).daysLeft).toBe(-7);
  });

  it('an override keyed cn covers every .cn second level (the built-in com.cn, net.cn … too); an explicit com.cn key wins over it', () => {
    const cn = { graceDays: 20, redemptionDays: 10 };
    const rules = mergeTldRules({ cn });
    for (const name of ['example.com.cn', 'a.net.cn', 'a.org.cn', 'a.gov.cn', 'a.ac.cn', 'a.bj.cn', 'a.cn']) expect(ruleFor(name, rules).rule, name).toEqual(cn);
    expect(ruleFor('example.com.cn', rules).tld).toBe('com.cn');
    const comCn = { graceDays: 5, redemptionDays: 5 };
    const both = mergeTldRules({ cn, 'com.cn': comCn });
    expect(ruleFor('example.com.cn', both).rule).toEqual(comCn);
    expect(ruleFor('example.net.cn', both).rule).toEqual(cn);
    // Key order does not matter; other TLDs keep their built-in rules.
    expect(ruleFor('example.com.cn', mergeTldRules({ 'com.cn': comCn, cn })).rule).toEqual(comCn);
    expect(ruleFor('a.xn--fiqs8s', rules).rule).toEqual(DEFAULT_TLD_RULES['xn--fiqs8s']);
    expect(ruleFor('a.com', rules).rule).toEqual(DEFAULT_TLD_RULES.com);
  });

  it('listed in redemption more than a day before the grace period would end: expiry + redemption days − 1 day, the earlier deadline', () => {
    // .com expired 25 days ago: the rule's grace ends in 5 days, yet the registrar lists it in redemption.
    const ahead = estimateDeadline('a.com', now - 25 * DAY_MS, DEFAULT_TLD_RULES, now);
    expect(ahead).toMatchObject({ tld: 'com', rules: 'known', deadlineMs: now - 25 * DAY_MS + 28 * DAY_MS, daysLeft: 3 });
    // Within a day of the grace's end (the registrar's 24 h), the rule's own deadline stands.
    expect(estimateDeadline('a.com', now - 29 * DAY_MS, DEFAULT_TLD_RULES, now).deadlineMs).toBe(now - 29 * DAY_MS + 58 * DAY_MS);
    expect(estimateDeadline('a.com', now - 40 * DAY_MS, DEFAULT_TLD_RULES, now).deadlineMs).toBe(now - 40 * DAY_MS + 58 * DAY_MS);
    // hk: grace 28, redemption 59; an unknown TLD too (30 + 14).
    expect(estimateDeadline('a.hk', now - 3 * DAY_MS, DEFAULT_TLD_RULES, now).deadlineMs).toBe(now - 3 * DAY_MS + 58 * DAY_MS);
    expect(estimateDeadline('a.xyz', now - 3 * DAY_MS, DEFAULT_TLD_RULES, now)).toMatchObject({ rules: 'assumed', deadlineMs: now - 3 * DAY_MS + 13 * DAY_MS });
  });

  it('an override wins over the built-in rule', () => {
    const rules = mergeTldRules({ com: { graceDays: 0, redemptionDays: 1 } });
    expect(estimateDeadline('a.com', now, rules, now).deadlineMs).toBe(now);
  });
});

// README "Redemption deadline" is the table a user checks their TLDs against (and overrides with
// REDEEM_TLD_RULES): the built-in rules must be exactly what it lists.
describe("README's deadline table", () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Redemption deadline'), readme.indexOf('## Deploying'));
  const rows = section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| family') && !line.startsWith('|---'))
    .map((line) => line.split('|').map((cell) => cell.trim()).slice(1, -1));

  it('lists each built-in TLD with its grace and redemption days, and nothing the code does not hold', () => {
    const listed: Record<string, { graceDays: number; redemptionDays: number }> = {};
    for (const [family, tlds, grace, redemption] of rows) {
      if (family === 'anything else') continue;
      // Words of the TLD cell, less the parenthesis's words (com.cn …, "any .cn second level", the `xn--` note).
      const names = tlds!.replace(/\(([^)]*)\)/g, (_, inner: string) => ` ${inner.split(/[\s,]+/).filter((part) => /^[a-z]+\.cn$/.test(part)).join(' ')} `).split(/[\s,]+/).filter(Boolean);
      for (const name of names) listed[domainToASCII(`a.${name}`).slice(2)] = { graceDays: Number(grace), redemptionDays: Number(Number.parseInt(redemption!, 10)) };
    }
    expect(Object.keys(listed).length).toBeGreaterThan(20);
    const sorted = (rules: Readonly<Record<string, unknown>>) => Object.fromEntries(Object.entries(rules).sort(([a], [b]) => a.localeCompare(b)));
    expect(JSON.stringify(sorted(listed), null, 1)).toBe(JSON.stringify(sorted(DEFAULT_TLD_RULES), null, 1));
  });

  it('"anything else" is the assumed rule, flagged', () => {
    const [, , grace, redemption] = rows.find(([family]) => family === 'anything else')!;
    // Expired 40 days ago: past the grace period, so the rule's whole window applies.
    const estimate = estimateDeadline('a.zzz-unlisted', now - 40 * DAY_MS, DEFAULT_TLD_RULES, now);
    expect(estimate.rules).toBe('assumed');
    expect(estimate.deadlineMs).toBe(now - 40 * DAY_MS + (Number(grace) + Number.parseInt(redemption!, 10)) * DAY_MS - DAY_MS);
  });
});
