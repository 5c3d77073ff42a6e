/**
 * HTTP 200 to SaveSingleTaskForCreatingOrderRedeem whose body is not the documented `{ RequestId, TaskNo }`
 * (domain-api.md §3.3), after the registrar took the order: a proxy's HTML page, an empty or truncated
 * body, a JSON array, a TaskNo missing, null, a number, or far longer than any task number. Each is an
 * answer that cannot be read: outcome unknown, never sent again, reconciled with the ledger and followed
 * under the task the registrar lists.
 */
import { describe, expect, it } from 'vitest';
import { domainItem, type Scripted } from '../support/registrar-standin.js';
import { decisionsOf, dueExpiration, runAgainst, standinPerTest } from './standin-runs.js';

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

const cases: ReadonlyArray<readonly [string, (taskNo: string) => Scripted]> = [
  ['an HTML page from a proxy', () => ({ body: '<html><body>Welcome to nginx!</body></html>', headers: { 'content-type': 'text/html' } })],
  ['an empty body', () => ({ body: '' })],
  ['truncated JSON', (t) => ({ body: JSON.stringify({ RequestId: 'R', TaskNo: t }).slice(0, 20) })],
  ['a JSON array', (t) => ({ body: JSON.stringify([{ RequestId: 'R', TaskNo: t }]) })],
  ['TaskNo missing', () => ({ body: { RequestId: 'R' } })],
  ['TaskNo null', () => ({ body: { RequestId: 'R', TaskNo: null } })],
  ['TaskNo a number', () => ({ body: { RequestId: 'R', TaskNo: 12345 } })],
  ['TaskNo of 100,000 characters', () => ({ body: { RequestId: 'R', TaskNo: 'f'.repeat(100_000) } })],
  ['TaskNo with a NUL byte after the number', (t) => ({ body: { RequestId: 'R', TaskNo: `${t}\u0000` } })],
  ['TaskNo with a line break inside', (t) => ({ body: { RequestId: 'R', TaskNo: `${t.slice(0, 8)}\n${t.slice(8)}` } })],
];

describe('a 200 to a submission the registrar took, with a body that is not its answer', () => {
  for (const [label, answer] of cases) {
    it(`${label}: outcome unknown, sent once, reconciled and followed under the listed task`, async () => {
      const name = 'odd.com';
      const s = await start({
        domains: [domainItem(name, dueExpiration(name))],
        script: (call, standin) => {
          if (call.action !== SAVE) return undefined;
          const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
          return answer(task.taskNo);
        },
      });
      const run = await runAgainst(s);
      expect(s.callsOf(SAVE)).toHaveLength(1);
      expect(s.orders).toHaveLength(1);
      const decision = decisionsOf(run).find((d) => d.domain === name);
      expect(decision).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo, error_code: 'OutcomeUnknown', reconciled: true });
      expect(String(decision?.error_message ?? '').length).toBeLessThan(2_000);
    });
  }
});

describe('a TaskNo with blanks around it', () => {
  it('is the task it names: recorded and followed to success under the number without them, sent once', async () => {
    const name = 'padded.com';
    const s = await start({
      domains: [domainItem(name, dueExpiration(name))],
      script: (call, standin) => {
        if (call.action !== SAVE) return undefined;
        const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '')!;
        return { body: { RequestId: 'R', TaskNo: ` ${task.taskNo}\n` } };
      },
    });
    const run = await runAgainst(s);
    expect(s.callsOf(SAVE)).toHaveLength(1);
    expect(decisionsOf(run).find((d) => d.domain === name)).toMatchObject({ outcome: 'succeeded', task_no: s.orders[0]!.taskNo });
  });
});
