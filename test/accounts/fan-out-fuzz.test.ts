/**
 * The orchestrator against an FC stand-in (test/support/accounts-standin.ts) whose every answer to
 * InvokeFunction is drawn at random among what FC may answer: 202, a refusal (403, 404), throttling (429,
 * which FC did not take), a 5xx or a 200 (it may have), a dropped connection after it took the event.
 * Whatever it answers: no account's event is taken twice, nothing FC may have taken is sent again, every
 * account has one record and the counts add up, and the message names every account not handed on.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeRun, type Platform } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import { startAccountsStandin, type AccountsAnswer, type AccountsStandin } from '../support/accounts-standin.js';
import { webhookInbox, type WebhookInbox } from '../support/webhook-inbox.js';

const KEY = { accessKeyId: 'LTAI-function-key', accessKeySecret: 'function-secret-value-1234' };
type Kind = 'accept' | 'refuse403' | 'missing404' | 'throttle' | 'server503' | 'ok200' | 'drop';
const KINDS: readonly Kind[] = ['accept', 'refuse403', 'missing404', 'throttle', 'server503', 'ok200', 'drop'];

/** Each account's answers in turn (the last repeats). */
let plan = new Map<string, Kind[]>();
const asked = new Map<string, number>();
let standin: AccountsStandin;
let inbox: WebhookInbox;

function answerFor(kind: Kind): AccountsAnswer | undefined {
  switch (kind) {
    case 'accept': return undefined;
    case 'refuse403': return { status: 403, body: { Code: 'AccessDenied', Message: 'denied' } };
    case 'missing404': return { status: 404, body: { Code: 'FunctionNotFound', Message: 'no such function' } };
    case 'throttle': return { status: 429, body: { Code: 'ResourceThrottled', Message: 'slow down' } };
    case 'server503': return { status: 503, body: { Code: 'ServiceUnavailable', Message: 'busy' } };
    case 'ok200': return { status: 200, body: 'null' };
    case 'drop': return 'drop';
  }
}

beforeAll(async () => {
  inbox = await webhookInbox();
  standin = await startAccountsStandin({
    key: KEY,
    members: [],
    invoke: (invocation) => {
      const id = (JSON.parse(invocation.payload) as { account: { id: string } }).account.id;
      const n = (asked.get(id) ?? 0) + 1;
      asked.set(id, n);
      const kinds = plan.get(id)!;
      return answerFor(kinds[Math.min(n, kinds.length) - 1]!);
    },
  });
});
afterAll(async () => {
  await standin.close();
  await inbox.close();
});

const platform: Platform = { channel: 'event', credentials: undefined, requestId: 'req-orchestrator', timeoutSeconds: 60 };

describe('the fan-out against arbitrary InvokeFunction answers', () => {
  it('never hands an account on twice, records each once, counts right, and names each one not handed on', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.constantFrom(...KINDS), { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 6 }), async (kinds) => {
        const ids = kinds.map((_, i) => String(5000000000000000 + i));
        plan = new Map(ids.map((id, i) => [id, kinds[i]!]));
        asked.clear();
        inbox.bodies.length = 0;
        const before = standin.invocations.length;
        const env = {
          REDEEM_MODE: 'live',
          REDEEM_DOMAINS: '*',
          REDEEM_ACCOUNTS: ids.map((id) => `acs:ram::${id}:role/domain-redeemer`).join(','),
          FC_ENDPOINT: standin.url,
          FC_FUNCTION_NAME: 'domain-redeemer',
          ALIBABA_CLOUD_ACCESS_KEY_ID: KEY.accessKeyId,
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: KEY.accessKeySecret,
          NOTIFY_WEBHOOK_URL: inbox.url,
          NOTIFY_ON: 'failures',
        };
        const deps = { env, logger: createLogger(() => {}), clock: { now: Date.now, random: () => 0.5, sleep: async () => {} } };
        const summary = (await invokeRun('invoke', {}, platform, deps)) as any;
        const sent = standin.invocations.slice(before);
        const sentTo = (id: string) => sent.filter((i) => i.payload.includes(id)).length;
        for (const [i, id] of ids.entries()) {
          const answers = kinds[i]!.slice(0, sentTo(id));
          // Sent again only after an answer FC certainly did not take (throttling); never after one it may have.
          for (const [n, kind] of answers.entries()) if (n < answers.length - 1) expect(kind).toBe('throttle');
          // Taken at most once: the last answer is the only one that may be an acceptance.
          expect(answers.filter((k) => k === 'accept').length).toBeLessThanOrEqual(1);
        }
        const records = summary.accounts as any[];
        expect(records.map((r) => r.account_id).sort()).toEqual([...ids].sort());
        const invoked = records.filter((r) => r.outcome === 'invoked');
        expect(summary.run.count_invoked).toBe(invoked.length);
        expect(summary.run.count_failed).toBe(ids.length - invoked.length);
        for (const r of invoked) expect(kinds[ids.indexOf(r.account_id)]!.slice(0, sentTo(r.account_id)).at(-1)).toBe('accept');
        const failed = records.filter((r) => r.outcome === 'failed');
        if (failed.length > 0) {
          expect(inbox.bodies).toHaveLength(1);
          const text = JSON.stringify(inbox.bodies[0]);
          for (const r of failed) expect(text).toContain(`account ${r.account_id} `);
        } else {
          expect(inbox.bodies).toHaveLength(0);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
