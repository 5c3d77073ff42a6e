/**
 * Where an orchestrating run (REDEEM_ACCOUNTS) sends its account runs: InvokeFunction on
 * {account}.{region}.fc.aliyuncs.com for this function. FC states the account, the region and the
 * function's name three ways: the FC_ACCOUNT_ID / FC_REGION / FC_FUNCTION_NAME variables, the built-in
 * runtime's context (`accountId`, `region`, `function.name`, function-compute.md §2.2) and the custom
 * runtime's headers (`x-fc-account-id`, `x-fc-region`, `x-fc-function-name`, §4). Read from the variables
 * alone (the context's name aside), an FC whose context and headers said them but whose environment did
 * not failed every orchestrating run "FC_ACCOUNT_ID: not set", and no account was guarded.
 */
import { describe, expect, it } from 'vitest';
import { platformFromHeaders } from '../../functions/redeem/custom-runtime.js';
import { parseAccounts } from '../../shared/accounts/index.js';
import { parseContext } from '../../shared/fc/events.js';
import { fanOutTarget, type Platform } from '../../shared/fc/invocation.js';
import { fcContext, fcInvokeHeaders } from '../support/fc.js';

const accounts = parseAccounts({ REDEEM_ACCOUNTS: 'acs:ram::2000000000000001:role/domain-redeemer' }).config!;

describe("the orchestrator's target, from what FC states", () => {
  it("the built-in runtime's context: accountId, region and function.name, when the FC_* variables are not there", () => {
    const context = { ...fcContext(), accountId: '1234567890123456', region: 'cn-shanghai', function: { name: 'redeem', timeout: 600 } };
    const ctx = parseContext(context);
    const platform: Platform = { channel: 'event', credentials: ctx.credentials, requestId: ctx.requestId, timeoutSeconds: ctx.function?.timeout, functionName: ctx.function?.name, accountId: ctx.accountId, region: ctx.region };
    expect(fanOutTarget({}, platform, accounts)).toMatchObject({ endpoint: 'https://1234567890123456.cn-shanghai.fc.aliyuncs.com', functionName: 'redeem' });
  });

  it("the custom runtime's x-fc-* headers on FC's own requests, never on another's", () => {
    const headers = new Headers({ ...fcInvokeHeaders('req-1'), 'x-fc-account-id': '1234567890123456', 'x-fc-region': 'cn-shanghai', 'x-fc-function-name': 'redeem' });
    expect(fanOutTarget({}, platformFromHeaders(headers), accounts)).toMatchObject({ endpoint: 'https://1234567890123456.cn-shanghai.fc.aliyuncs.com', functionName: 'redeem' });
    headers.delete('x-fc-control-path');
    expect(() => fanOutTarget({}, platformFromHeaders(headers), accounts)).toThrow(expect.objectContaining({ code: 'bad-configuration' }));
  });

  it('the FC_* variables come first when both are there', () => {
    const platform: Platform = { channel: 'event', credentials: undefined, requestId: 'r', timeoutSeconds: 60, functionName: 'from-context', accountId: '1111111111111111', region: 'cn-beijing' };
    expect(fanOutTarget({ FC_ACCOUNT_ID: '1234567890123456', FC_REGION: 'cn-hangzhou', FC_FUNCTION_NAME: 'domain-redeemer' }, platform, accounts)).toMatchObject({
      endpoint: 'https://1234567890123456.cn-hangzhou.fc.aliyuncs.com',
      functionName: 'domain-redeemer',
    });
  });
});

/**
 * A header FC's front sent twice (a proxy on the way adding its own copy): Node's server and web Headers
 * give "v, v". Read as it came, the timeout was no number (60 s assumed for a 900 s function), the request
 * id "req-1, req-1" in every record, and the role's keys were refused as "holding whitespace". One value
 * said twice is that value; two that differ are not FC's word (as if the header were missing).
 */
describe("the custom runtime's x-fc-* headers repeated", () => {
  const twice = (same: boolean) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries({ ...fcInvokeHeaders('req-1', '/invoke', 900), 'x-fc-account-id': '1234567890123456' })) {
      headers.append(name, value);
      if (name !== 'x-fc-control-path') headers.append(name.toUpperCase(), same ? value : `${value}9`);
    }
    return platformFromHeaders(headers);
  };

  it('the same value twice is that value', () => {
    expect(twice(true)).toMatchObject({ requestId: 'req-1', timeoutSeconds: 900, accountId: '1234567890123456', credentials: { accessKeyId: 'STS.fc-role-key', accessKeySecret: 'fc-role-secret-value', securityToken: 'fc-role-security-token' } });
  });

  it('two values that differ are none', () => {
    expect(twice(false)).toMatchObject({ requestId: undefined, timeoutSeconds: undefined, accountId: undefined, credentials: { accessKeyId: undefined, accessKeySecret: undefined, securityToken: undefined } });
  });
});
