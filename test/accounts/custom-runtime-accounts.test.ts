/** The custom runtime's event path with many accounts: FC's /invoke carries the account event; the HTTP trigger never does. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerType } from '@hono/node-server';
import type { Emulator } from '../emulator/server.js';
import { MEMBERS, roleArnOf } from '../support/accounts.js';
import { startEmulator } from '../support/emulator.js';
import { FC_CREDENTIALS, fcInvokeHeaders, startRuntime } from '../support/fc.js';

const [A, B] = MEMBERS.map((m) => m.id) as [string, string];
let emulator: Emulator;
let server: ServerType;
let base: string;
const logs: string[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ domains: 10, seed: 8, accessKeys: { [FC_CREDENTIALS.accessKeyId]: FC_CREDENTIALS.accessKeySecret }, accounts: MEMBERS, taskTiming: { waitingMs: 20, executingMs: 20 } });
  ({ server, url: base } = await startRuntime(
    {
      REDEEM_MODE: 'live',
      REDEEM_DOMAINS: '*',
      REDEEM_MAX_PER_RUN: '1',
      DOMAIN_ENDPOINT: emulator.url,
      REDEEM_ACCOUNTS: [A, B].map((id) => roleArnOf(id)).join(','),
      STS_ENDPOINT: emulator.url,
      FC_ENDPOINT: emulator.url,
      FC_FUNCTION_NAME: 'domain-redeemer',
    },
    logs,
  ));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await emulator.close();
});

describe('custom runtime with REDEEM_ACCOUNTS', () => {
  it("FC's /invoke with an account event runs in that account with its assumed role", async () => {
    const res = await fetch(`${base}/invoke`, { method: 'POST', headers: fcInvokeHeaders('req-account-a', '/invoke'), body: JSON.stringify({ account: { id: A, roleArn: roleArnOf(A) } }) });
    expect(res.headers.get('x-fc-status')).toBe('200');
    const summary = (await res.json()) as any;
    expect(summary.run).toMatchObject({ account_id: A, outcome: 'completed', fc_request_id: 'req-account-a' });
    expect(emulator.accounts.get(A).domain.tasks.length).toBe(summary.run.count_submitted + summary.run.count_succeeded + summary.run.count_in_progress);
    expect(emulator.accounts.get(A).domain.tasks.length).toBe(1);
    expect(emulator.domain.tasks).toEqual([]);
    expect(emulator.sts.assumed.map((s) => [s.roleArn, s.code])).toEqual([[roleArnOf(A), 'OK']]);
  });

  it('through the HTTP trigger, /invoke does not exist: an account event there assumes nothing', async () => {
    const viaHttp = await fetch(`${base}/invoke`, { method: 'POST', headers: fcInvokeHeaders('req-http', '/http-invoke'), body: JSON.stringify({ account: { id: B, roleArn: roleArnOf(B) } }) });
    expect(viaHttp.status).toBe(404);
    expect(emulator.accounts.get(B).domain.tasks).toEqual([]);
    expect(emulator.sts.assumed.filter((s) => s.roleArn === roleArnOf(B))).toEqual([]);
  });
});
