/**
 * One account listed twice in REDEEM_ACCOUNTS runs twice: two account runs in one portfolio, each with its
 * own per-run cap, its own logstore read-back (records are filtered by account_id as spelt) and, in the CLI
 * (three accounts at once), at the same moment, so that both may plan and order the same domain. The
 * account id is a number: 02000000000000001 and 2000000000000001 name one account however STS reads the ARN.
 */
import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../shared/accounts/accounts-config.js';

describe('REDEEM_ACCOUNTS naming one account twice', () => {
  it.each([
    ['with a leading zero', 'acs:ram::2000000000000001:role/domain-redeemer,acs:ram::02000000000000001:role/domain-redeemer'],
    ['with leading zeros and another role name', 'acs:ram::0002000000000000001:role/a,acs:ram::2000000000000001:role/b'],
  ])('%s is refused as listed more than once', (_name, value) => {
    const { config, problems } = parseAccounts({ REDEEM_ACCOUNTS: value });
    expect(config).toBeUndefined();
    expect(problems).toEqual([expect.stringMatching(/^REDEEM_ACCOUNTS: account 0*2000000000000001 listed more than once; give one role per account$/)]);
  });

  it('distinct accounts, and an id that is only zeros, are not confused', () => {
    expect(parseAccounts({ REDEEM_ACCOUNTS: 'acs:ram::2000000000000001:role/a,acs:ram::20000000000000010:role/a' }).problems).toEqual([]);
    expect(parseAccounts({ REDEEM_ACCOUNTS: 'acs:ram::0:role/a,acs:ram::00:role/a' }).problems).toEqual([expect.stringContaining('listed more than once')]);
  });
});
