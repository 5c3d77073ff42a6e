import { describe, expect, it } from 'vitest';
import type { DomainItem } from '../../shared/domain-api/schemas.js';
import { checkListing } from '../../shared/run/listing.js';

const EXP = 1_764_550_800_000;
/** The listing is judged as of a fixed day, 30 days after EXP (the redemption period), whatever today is. */
const NOW = EXP + 30 * 86_400_000;
/** A listed item; a date or status passed as undefined stays undefined (only a missing argument takes the default). */
function item(DomainName: unknown, ...rest: [ExpirationDateLong?: unknown, DomainStatus?: unknown]): DomainItem {
  return { DomainName, ExpirationDateLong: rest.length > 0 ? rest[0] : EXP, DomainStatus: rest.length > 1 ? rest[1] : '2' };
}
const BAD_DATE = 'ExpirationDateLong is not a positive whole number of milliseconds within the safe range';

describe('checkListing: one domain however it is listed', () => {
  it('the same domain listed twice with the same date is one candidate, the repeat counted', () => {
    const checked = checkListing([item('a.com'), item('b.com'), item('a.com')], 2, NOW);
    expect(checked.candidates).toEqual([
      { domainName: 'a.com', expirationMs: EXP },
      { domainName: 'b.com', expirationMs: EXP },
    ]);
    expect(checked).toMatchObject({ invalid: [], duplicates: 1 });
  });

  it('case, a trailing dot, white space and the Unicode / punycode spellings are one domain', () => {
    const checked = checkListing([item('Example.COM'), item(' example.com. '), item('例子.中国'), item('XN--FSQU00A.XN--FIQS8S'), item('xn--fsqu00a.xn--fiqs8s')], 2, NOW);
    expect(checked.candidates).toEqual([
      { domainName: 'example.com', expirationMs: EXP },
      { domainName: 'xn--fsqu00a.xn--fiqs8s', expirationMs: EXP },
    ]);
    expect(checked.duplicates).toBe(3);
  });

  it('one domain listed with different dates is no candidate at all: one invalid-listing, whatever the order', () => {
    const checked = checkListing([item('a.com', EXP), item('例子.中国', EXP), item('A.com', EXP + 1), item('a.com', EXP), item('xn--fsqu00a.xn--fiqs8s', EXP - 86_400_000)], 2, NOW);
    expect(checked.candidates).toEqual([]);
    expect(checked.invalid).toEqual([
      { domain: 'a.com', problem: 'listed more than once with different expiration dates', expirationMs: undefined },
      { domain: 'xn--fsqu00a.xn--fiqs8s', problem: 'listed more than once with different expiration dates', expirationMs: undefined },
    ]);
  });
});

describe('checkListing: ExpirationDateLong', () => {
  it.each([
    ['zero', 0],
    ['negative', -1_764_550_800_000],
    ['fractional', 1_764_550_800_000.5],
    ['2^53', 2 ** 53],
    ['above 2^53', 2 ** 53 + 2],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a string of 17 digits', '17645508000000000'],
    ['a signed string', '-1764550800000'],
    ['a string with a space', ' 1764550800000'],
    ['an exponent', '1.7e12'],
    ['an empty string', ''],
    ['null', null],
    ['missing', undefined],
    ['a boolean', true],
  ])('%s is an invalid listing, never an order', (_what, value) => {
    const checked = checkListing([item('a.com', value)], 2, NOW);
    expect(checked.candidates).toEqual([]);
    expect(checked.invalid).toEqual([{ domain: 'a.com', problem: BAD_DATE, expirationMs: undefined }]);
  });

  it('a string of digits, 2^53 - 1 and the first millisecond of 1985 are whole milliseconds', () => {
    // Read at the end of the safe range, so that none of them lies in the future (a redemption-list date
    // after now is refused on its own: test/safety/listing-dates.test.ts).
    const checked = checkListing([item('a.com', '1764550800000'), item('b.com', 2 ** 53 - 1), item('c.com', Date.UTC(1985, 0, 1))], 2, 2 ** 53);
    expect(checked.candidates).toEqual([
      { domainName: 'a.com', expirationMs: 1_764_550_800_000 },
      { domainName: 'b.com', expirationMs: 2 ** 53 - 1 },
      { domainName: 'c.com', expirationMs: Date.UTC(1985, 0, 1) },
    ]);
    expect(checked.invalid).toEqual([]);
  });

  it('an expiry before 1985 (1 ms, or seconds such as 1764550800) is no domain\'s expiry in milliseconds: an invalid listing', () => {
    const checked = checkListing([item('one.com', 1), item('seconds.com', '1764550800'), item('edge.com', Date.UTC(1985, 0, 1) - 1)], 2, NOW);
    expect(checked.candidates).toEqual([]);
    expect(checked.invalid.map((i) => [i.domain, i.problem])).toEqual([
      ['one.com', "ExpirationDateLong 1 is before 1985, no domain's expiry in milliseconds (seconds?)"],
      ['seconds.com', "ExpirationDateLong 1764550800 is before 1985, no domain's expiry in milliseconds (seconds?)"],
      ['edge.com', `ExpirationDateLong ${Date.UTC(1985, 0, 1) - 1} is before 1985, no domain's expiry in milliseconds (seconds?)`],
    ]);
  });

  it('the number and the string of the same date are the same listing', () => {
    expect(checkListing([item('a.com', EXP), item('a.com', String(EXP))], 2, NOW)).toMatchObject({ candidates: [{ domainName: 'a.com', expirationMs: EXP }], duplicates: 1 });
  });
});

describe('checkListing: DomainName', () => {
  it.each([
    ['', '(empty DomainName)'],
    ['   ', '   '],
    ['localhost', 'localhost'],
    ['two words.com', 'two words.com'],
    ['-dash.com', '-dash.com'],
    ['a..com', 'a..com'],
    ['under_score.com', 'under_score.com'],
    ['a\u0000b\u001f.com\u007f', 'a?b?.com?'],
    [`${'a'.repeat(300)}.com`, 'a'.repeat(253)],
    [null, '(DomainName null)'],
    [undefined, '(DomainName undefined)'],
    [42, '(DomainName number)'],
    [{ name: 'a.com' }, '(DomainName object)'],
    // node:url domainToASCII parses a URL's host: it cut these at / ? # \, decoded %41, and read IPv4 forms,
    // so "b.com/a.com" was the candidate b.com, ordered with the junk item's expiry.
    ['b.com/a.com', 'b.com/a.com'],
    ['a.com?x=1', 'a.com?x=1'],
    ['a.com#top', 'a.com#top'],
    ['a.com\\x', 'a.com\\x'],
    ['shop%2ecom', 'shop%2ecom'],
    ['a.com%41', 'a.com%41'],
    ['1.2.3.4', '1.2.3.4'],
    ['0x7f.1', '0x7f.1'],
  ])('%j is an invalid listing shown as %j', (name, shown) => {
    const checked = checkListing([item(name)], 2, NOW);
    expect(checked.candidates).toEqual([]);
    expect(checked.invalid).toEqual([{ domain: shown, problem: 'DomainName is not a valid host name', expirationMs: EXP }]);
  });

  it('a bad name keeps a numeric date (to show), never a string one', () => {
    expect(checkListing([item('', 'junk')], 2, NOW).invalid[0]!.expirationMs).toBeUndefined();
    expect(checkListing([item('', -5)], 2, NOW).invalid[0]!.expirationMs).toBe(-5);
    expect(checkListing([item('', Number.NaN)], 2, NOW).invalid[0]!.expirationMs).toBeUndefined();
  });
});

describe('checkListing: DomainStatus', () => {
  it('2 or "2" is in redemption; 1 and 3 (documented, not redemption) are left out silently', () => {
    const checked = checkListing([item('two.com', EXP, 2), item('two-text.com', EXP, '2'), item('renew.com', EXP, 1), item('renew-text.com', EXP, '1'), item('normal.com', EXP, 3), item('normal-text.com', EXP, '3')], 2, NOW);
    expect(checked.candidates.map((c) => c.domainName)).toEqual(['two.com', 'two-text.com']);
    expect(checked.invalid).toEqual([]);
  });

  it('a status that is not documented is an invalid listing', () => {
    for (const status of [0, 4, '02', ' 2', 'redemption', null, undefined, 2.5]) {
      expect(checkListing([item('a.com', EXP, status)], 2, NOW).invalid).toEqual([{ domain: 'a.com', problem: 'DomainStatus is not one of the documented codes', expirationMs: EXP }]);
    }
  });

  it('a documented status that is not wanted hides the item before any other check', () => {
    expect(checkListing([item('', 'junk', 3)], 2, NOW)).toEqual({ candidates: [], invalid: [], duplicates: 0 });
  });

  it('with wanted 1 (the renewal list) the roles change', () => {
    const checked = checkListing([item('renew.com', EXP, '1'), item('redeem.com', EXP, '2')], 1, NOW);
    expect(checked.candidates.map((c) => c.domainName)).toEqual(['renew.com']);
  });

  it('checks the name first, then the date, then the status', () => {
    expect(checkListing([item('', 'junk', 'junk')], 2, NOW).invalid[0]!.problem).toBe('DomainName is not a valid host name');
    expect(checkListing([item('a.com', 'junk', 'junk')], 2, NOW).invalid[0]!.problem).toBe(BAD_DATE);
  });
});

describe('checkListing: one domain listed with a good date and a bad one', () => {
  it.each([
    ['an unreadable date', item('a.com', 'junk'), BAD_DATE],
    ['a date before 1985', item('a.com', 1_764_550_800), "ExpirationDateLong 1764550800 is before 1985, no domain's expiry in milliseconds (seconds?)"],
    ['a date in the future', item('a.com', EXP * 1_000), `ExpirationDateLong ${EXP * 1_000} lies in the future`],
    ['an undocumented status', item('a.com', EXP, '9'), 'DomainStatus is not one of the documented codes'],
  ])('with %s, whichever comes first, is no candidate: one invalid-listing naming both', (_what, badItem, problem) => {
    for (const items of [[item('a.com'), badItem, item('b.com')], [badItem, item('A.com'), item('b.com')]]) {
      const checked = checkListing(items, 2, NOW);
      expect(checked.candidates).toEqual([{ domainName: 'b.com', expirationMs: EXP }]);
      expect(checked.invalid).toHaveLength(1);
      expect(checked.invalid[0]).toMatchObject({ domain: 'a.com', expirationMs: undefined });
      expect(checked.invalid[0]!.problem).toMatch(new RegExp(`^listed more than once, and the listings disagree: one gives ExpirationDateLong ${EXP}, another .*${problem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });

  it('two dates that differ and a bad one: one invalid-listing for the domain', () => {
    const checked = checkListing([item('a.com', EXP), item('a.com', EXP + 1), item('a.com', 'junk')], 2, NOW);
    expect(checked.candidates).toEqual([]);
    expect(checked.invalid.map((i) => i.domain)).toEqual(['a.com']);
  });
});

describe('checkListing: the renewal list (wanted 1) with a good date and a bad one', () => {
  it('keeps the good one: nothing is ordered from it, and dropped, the renewal would be told to nobody', () => {
    const checked = checkListing([item('a.com', EXP, '1'), item('a.com', 'junk', '1')], 1, NOW);
    expect(checked.candidates).toEqual([{ domainName: 'a.com', expirationMs: EXP }]);
  });
});
