/**
 * The logstore read-back across account runs (REDEEM_ACCOUNTS / --accounts: rows with `account_id`) and
 * plain runs (no `account_id`). A domain's name is unique at the registrar, so a plain run counts every
 * account's orders: the engine then holds only those of domains its own redemption list holds.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { keptOrdersJournal } from '../../shared/run/run.js';
import { SlsClient } from '../../shared/sls/index.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { keysFor, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';

let sls: SlsStandin;
beforeAll(async () => {
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS) });
});
afterAll(() => sls.close());
beforeEach(() => sls.reset());

const ACCOUNT = '1234567890123456';

/** A record as a run writes it, `agoSeconds` ago. */
function store(fields: Record<string, string>, agoSeconds = 600): void {
  sls.logs.push({ project: 'audit', logstore: 'results', topic: 'domain-redeemer', source: 'fc', time: Math.floor(Date.now() / 1000) - agoSeconds, contents: Object.entries(fields), request: 0 });
}

function journal(accountId: string | undefined) {
  const client = new SlsClient({ target: { endpoint: sls.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock: systemClock });
  return keptOrdersJournal(client, systemClock, accountId)!;
}

describe("the logstore read-back: a plain run and an account run's rows", () => {
  it("a plain run reads an account run's live order and its unanswered submission, as its own", async () => {
    store({ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'member.com', task_no: 'T-member', run_id: 'acct-run', account_id: ACCOUNT });
    store({ kind: 'submission', mode: 'live', domain: 'wire.com', run_id: 'acct-run', account_id: ACCOUNT });
    store({ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'plain.com', task_no: 'T-plain', run_id: 'plain-run' });
    const plain = journal(undefined);
    const orders = await plain.load(Date.now() + 5_000);
    expect(orders.map((o) => [o.domainName, o.taskNo]).sort()).toEqual([
      ['member.com', 'T-member'],
      ['plain.com', 'T-plain'],
    ]);
    expect(plain.attempts?.().map((a) => a.domainName)).toEqual(['wire.com']);
  });

  it("an account run reads its own account's rows (the query names account_id)", async () => {
    store({ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'member.com', task_no: 'T-member', run_id: 'acct-run', account_id: ACCOUNT });
    store({ kind: 'decision', action: 'redeem', mode: 'live', outcome: 'submitted', domain: 'other.com', task_no: 'T-other', run_id: 'other-run', account_id: '9999999999999999' });
    const orders = await journal(ACCOUNT).load(Date.now() + 5_000);
    expect(orders.map((o) => o.domainName)).toEqual(['member.com']);
  });
});
