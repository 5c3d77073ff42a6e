/** REDEEM_ACCOUNTS parsing, resolution, and the account run's gate (authorizeAccount). */
import { describe, expect, it } from 'vitest';
import { parseAccounts, resolveAccounts } from '../../shared/accounts/accounts-config.js';
import { AccountListingError, AccountNotAuthorizedError } from '../../shared/accounts/errors.js';
import { authorizeAccount, narrowAccounts, splitAccountEvent } from '../../shared/accounts/orchestrate.js';

const A = 'acs:ram::2000000000000001:role/domain-redeemer';
const B = 'acs:ram::2000000000000002:role/Redeemer.Member_1';

describe('parseAccounts', () => {
  it('unset: no configuration and no problem (today single-account run)', () => {
    expect(parseAccounts({})).toEqual({ config: undefined, problems: [] });
    expect(parseAccounts({ REDEEM_ACCOUNTS: '  ' })).toEqual({ config: undefined, problems: [] });
  });

  it('a list of role ARNs, with the default endpoints', () => {
    const { config, problems } = parseAccounts({ REDEEM_ACCOUNTS: ` ${A} ,${B},`, REDEEM_EXTERNAL_ID: 'ext-id:42' });
    expect(problems).toEqual([]);
    expect(config).toEqual({
      source: { kind: 'roles', accounts: [{ id: '2000000000000001', roleArn: A }, { id: '2000000000000002', roleArn: B }] },
      externalId: 'ext-id:42',
      stsEndpoint: 'https://sts.aliyuncs.com',
      resourceManagerEndpoint: 'https://resourcemanager.aliyuncs.com',
      fcEndpoint: undefined,
    });
  });

  it('rd:<role-name>, and endpoint overrides as host names or URLs', () => {
    const { config } = parseAccounts({ REDEEM_ACCOUNTS: 'rd:domain-redeemer', STS_ENDPOINT: 'sts-vpc.cn-hangzhou.aliyuncs.com', RESOURCE_MANAGER_ENDPOINT: 'http://127.0.0.1:8080/', FC_ENDPOINT: 'http://127.0.0.1:8080' });
    expect(config).toMatchObject({
      source: { kind: 'directory', roleName: 'domain-redeemer' },
      stsEndpoint: 'https://sts-vpc.cn-hangzhou.aliyuncs.com',
      resourceManagerEndpoint: 'http://127.0.0.1:8080',
      fcEndpoint: 'http://127.0.0.1:8080',
    });
  });

  it('names each variable and what is wrong, and never echoes the external id', () => {
    const secretish = 'has spaces and $ign';
    const { config, problems } = parseAccounts({
      REDEEM_ACCOUNTS: `${A},acs:ram::2000000000000001:role/other,acs:ram::123:user/alice,rd:x`,
      REDEEM_EXTERNAL_ID: secretish,
      STS_ENDPOINT: 'ftp://sts',
    });
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      'REDEEM_ACCOUNTS: not role ARNs of the form acs:ram::<account-id>:role/<role-name>: "acs:ram::123:user/alice", rd:x ("rd:" cannot be mixed with role ARNs)',
      'REDEEM_ACCOUNTS: account 2000000000000001 listed more than once; give one role per account',
      'REDEEM_EXTERNAL_ID: expected 2 to 1224 of A-Z a-z 0-9 _ + = , . @ : / -',
      'STS_ENDPOINT: is not an http(s) URL or host name: "ftp://sts"',
    ]);
    expect(problems.join(' ')).not.toContain(secretish);
  });

  it('rd: needs one valid role name; an external id alone is a mistake', () => {
    expect(parseAccounts({ REDEEM_ACCOUNTS: 'rd:' }).problems).toEqual([expect.stringMatching(/^REDEEM_ACCOUNTS: "rd:" must be followed by one role name/)]);
    expect(parseAccounts({ REDEEM_ACCOUNTS: 'rd:a/b' }).config).toBeUndefined();
    expect(parseAccounts({ REDEEM_EXTERNAL_ID: 'abc' }).problems).toEqual(['REDEEM_EXTERNAL_ID: set, but REDEEM_ACCOUNTS is not (it is only passed to AssumeRole)']);
  });
});

describe('resolveAccounts and authorizeAccount', () => {
  const roles = parseAccounts({ REDEEM_ACCOUNTS: `${A},${B}` }).config!;
  const directory = parseAccounts({ REDEEM_ACCOUNTS: 'rd:domain-redeemer' }).config!;
  const never = async () => {
    throw new Error('ListAccounts must not be called for a list of roles');
  };

  it('a list of roles resolves without any call; rd: lists the directory with the role name in each', async () => {
    expect(await resolveAccounts(roles, never)).toEqual([{ id: '2000000000000001', roleArn: A }, { id: '2000000000000002', roleArn: B }]);
    expect(await resolveAccounts(directory, async () => ({ accounts: [{ id: '7' }, { id: '8' }], pages: 1 }))).toEqual([
      { id: '7', roleArn: 'acs:ram::7:role/domain-redeemer' },
      { id: '8', roleArn: 'acs:ram::8:role/domain-redeemer' },
    ]);
  });

  it('a listing that stops early is thrown, not taken for the whole directory', async () => {
    const stopped = new AccountListingError('PagingLimit', 'cap', [{ id: '7' }]);
    await expect(resolveAccounts(directory, async () => Promise.reject(stopped))).rejects.toBe(stopped);
  });

  it('an account run accepts exactly a resolved account, nothing else', async () => {
    const resolved = await resolveAccounts(roles, never);
    expect(authorizeAccount({ id: '2000000000000002', roleArn: B }, resolved)).toEqual({ id: '2000000000000002', roleArn: B });
    const refused = [
      { id: '2000000000000009', roleArn: 'acs:ram::2000000000000009:role/domain-redeemer' },
      { id: '2000000000000001', roleArn: 'acs:ram::2000000000000001:role/AdministratorRole' },
      { id: '2000000000000001', roleArn: B },
      { id: '2000000000000001', roleArn: A, policy: '*' },
      'acs:ram::2000000000000001:role/domain-redeemer',
      undefined,
    ];
    for (const account of refused) expect(() => authorizeAccount(account, resolved)).toThrow(AccountNotAuthorizedError);
    expect(() => authorizeAccount(undefined, resolved)).toThrow(expect.objectContaining({ code: 'account-refused' }));
    expect(() => authorizeAccount(refused[0], resolved)).toThrow('account 2000000000000009 (acs:ram::2000000000000009:role/domain-redeemer) is not among the accounts REDEEM_ACCOUNTS resolves to');
  });

  it('a request may narrow the accounts, never add one', async () => {
    const resolved = await resolveAccounts(roles, never);
    expect(narrowAccounts(resolved, ['2000000000000002'])).toEqual([{ id: '2000000000000002', roleArn: B }]);
    expect(narrowAccounts(resolved, undefined)).toEqual(resolved);
    expect(() => narrowAccounts(resolved, ['2000000000000002', '666'])).toThrow(/accounts: 666 not among the accounts REDEEM_ACCOUNTS resolves to/);
  });

  it('splitAccountEvent takes the account off the options and leaves the rest as it was', () => {
    expect(splitAccountEvent({ mode: 'dry-run', account: { id: '1', roleArn: 'x' } })).toEqual({ account: { id: '1', roleArn: 'x' }, options: { mode: 'dry-run' } });
    expect(splitAccountEvent({ mode: 'dry-run' })).toEqual({ account: undefined, options: { mode: 'dry-run' } });
    expect(splitAccountEvent(null)).toEqual({ account: undefined, options: null });
  });
});

