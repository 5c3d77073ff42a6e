/**
 * STS refuses AssumeRole signed with an Alibaba Cloud account's own (root) AccessKey: "Only a RAM user or a
 * RAM role, never the root account" (accounts-and-billing.md §2.1), answered as NoPermission with the
 * message "Roles may not be assumed by root accounts." (Alibaba Cloud's STS error table,
 * https://www.alibabacloud.com/help/doc-detail/42775.htm). On a laptop that key is a common choice for the
 * CLI's ALIBABA_CLOUD_ACCESS_KEY_ID; no trust policy and no sts:AssumeRole grant mends it, only a RAM user's key.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAccounts } from '../../shared/accounts/index.js';
import { renderAccounts, runAccounts } from '../../shared/cli/accounts.js';
import { loadConfig } from '../../shared/config/index.js';
import { createLogger } from '../../shared/log/index.js';
import { startAccountsStandin, type AccountsStandin } from '../support/accounts-standin.js';

// An account's own AccessKey: long-term, no token.
const ROOT_KEY = { accessKeyId: 'LTAI5tRootAccountKey01', accessKeySecret: 'root-account-secret-value-1234' };
const A = '2000000000000001';
const ROLE = `acs:ram::${A}:role/domain-redeemer`;

let standin: AccountsStandin | undefined;
afterEach(async () => {
  await standin?.close();
  standin = undefined;
});

describe('the CLI with the root account\'s AccessKey and REDEEM_ACCOUNTS', () => {
  it('is told that AssumeRole needs a RAM user\'s AccessKey, not to grant the function\'s role sts:AssumeRole or edit a trust policy', async () => {
    standin = await startAccountsStandin({
      key: ROOT_KEY,
      members: [{ id: A }],
      sts: () => ({ status: 403, body: { RequestId: 'sts-root-1', HostId: 'sts.aliyuncs.com', Code: 'NoPermission', Message: 'Roles may not be assumed by root accounts.' } }),
    });
    const env = { REDEEM_ACCOUNTS: ROLE, STS_ENDPOINT: standin.url, DOMAIN_ENDPOINT: 'http://127.0.0.1:9' };
    const accounts = parseAccounts(env).config!;
    const result = await runAccounts({
      config: loadConfig(env),
      accounts,
      credentials: ROOT_KEY,
      options: { mode: 'dry-run' } as never,
      budgetMs: 20_000,
      logger: createLogger(() => {}),
    });
    const run = result.runs[0]!.summary.run;
    expect(run).toMatchObject({ outcome: 'failed', error_code: 'NoPermission' });
    const said = `${run.error_message}\n${renderAccounts(result)}`;
    expect(said).toContain('Roles may not be assumed by root accounts.');
    expect(said).toContain("RAM user's AccessKey");
    expect(said).not.toContain("the function's role needs sts:AssumeRole");
    expect(said).not.toContain(ROOT_KEY.accessKeySecret);
  });
});
