/**
 * The other orders files a run reads (shared/cli/host-lock.ts otherOrdersFiles: the newest 64 of this user's
 * temp folder). An account run over a Resource Directory (rd:<role>, thousands of members) or up to 200 listed
 * accounts leaves one file per member account, rewritten by each member's load whether or not it ordered
 * anything (an empty file for most), and a shared /tmp holds other users' files, which are never believed.
 * Counted among the 64, they crowded out the one file that holds the order: the plain run with the member's
 * own key, right after the account run ordered its domain (the registrar not listing it yet), did not read it
 * and ordered the domain again (a second redemption fee).
 */
import { chownSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostOrderJournal } from '../../shared/cli/host-lock.js';

const root = mkdtempSync(join(tmpdir(), 'redeemer-many-orders-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const NOW = Date.now();
const ENDPOINT = 'http://127.0.0.1:19401';

/** Sets every orders file's modification time to `secondsAgo` (the one holding the order oldest). */
function age(dir: string, file: string, secondsAgo: number): void {
  const at = new Date(NOW - secondsAgo * 1000);
  utimesSync(join(dir, file), at, at);
}

describe('the orders file holding the order, among many other files', () => {
  it("the account run's member file is read by the member key's plain run though 80 other members' empty files are newer", () => {
    const dir = mkdtempSync(join(root, 'rd-'));
    const env = { TMPDIR: dir, DOMAIN_ENDPOINT: ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImanagement0001' };
    // The account run: the first member ordered its domain, then every other member's load wrote its file.
    const first = hostOrderJournal(env, () => NOW, '1000000000000001');
    first.load();
    first.placed({ domainName: 'member.com', taskNo: 'T-MEMBER', sentMs: NOW - 60_000, runId: 'run-accounts' });
    const [orderFile] = readdirSync(dir);
    age(dir, orderFile!, 120);
    for (let i = 2; i <= 81; i++) hostOrderJournal(env, () => NOW, String(1000000000000000 + i)).load();
    expect(readdirSync(dir).filter((f) => f.endsWith('.orders'))).toHaveLength(81);
    // The plain run with the member's own key.
    const plain = hostOrderJournal({ ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImemberownkey0001' }, () => NOW);
    expect(plain.load().map((o) => o.taskNo), "orders the plain run holds").toEqual(['T-MEMBER']);
  });

  it.skipIf(process.getuid?.() !== 0)("other users' newer files (run as root: the test gives them away) do not crowd out this user's", () => {
    const dir = mkdtempSync(join(root, 'shared-'));
    const env = { TMPDIR: dir, DOMAIN_ENDPOINT: ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIkeyone0000001' };
    hostOrderJournal(env, () => NOW).placed({ domainName: 'mine.com', taskNo: 'T-MINE', sentMs: NOW - 60_000, runId: 'run-1' });
    const [orderFile] = readdirSync(dir);
    age(dir, orderFile!, 120);
    for (let i = 0; i < 70; i++) {
      const name = `domain-redeemer-${i.toString(16).padStart(16, 'a')}.orders`;
      writeFileSync(join(dir, name), `${JSON.stringify({ domainName: `theirs${i}.com`, taskNo: `T-${i}`, sentMs: NOW, registrar: ENDPOINT })}\n`);
      chownSync(join(dir, name), 65534, 65534);
    }
    const other = hostOrderJournal({ ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIkeytwo0000002' }, () => NOW);
    expect(other.load().map((o) => o.taskNo)).toEqual(['T-MINE']);
  });

  it('more than 64 other files holding orders: the oldest are not read, and the run says so', () => {
    const dir = mkdtempSync(join(root, 'full-'));
    const env = { TMPDIR: dir, DOMAIN_ENDPOINT: ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImanagement0001' };
    for (let i = 1; i <= 66; i++) hostOrderJournal(env, () => NOW, String(1000000000000000 + i)).placed({ domainName: `d${i}.com`, taskNo: `T-${i}`, sentMs: NOW - 60_000, runId: 'run-accounts' });
    const plain = hostOrderJournal({ ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImemberownkey0001' }, () => NOW);
    expect(plain.load()).toHaveLength(64);
    expect(plain.unread?.().join(' ')).toContain('the 2 oldest of this user\'s other orders files holding orders were not read');
  });
});

describe("a told line for another file's run", () => {
  // The run that told an order of another key's or member account's file writes `told` in its own file
  // (ended): the other file is never written. Its own file's compaction kept told lines of its own runs only,
  // so the next load dropped it, and every load after told that order again as one no message had told.
  it("stays told across the telling file's later loads", () => {
    const dir = mkdtempSync(join(root, 'told-'));
    const env = { TMPDIR: dir, DOMAIN_ENDPOINT: ENDPOINT, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImanagement0001' };
    // An account run placed the order and was killed before its message.
    hostOrderJournal(env, () => NOW, '1000000000000001').placed({ domainName: 'member.com', taskNo: 'T-MEMBER', sentMs: NOW - 60_000, runId: 'run-killed' });
    const plainEnv = { ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAImemberownkey0001' };
    const telling = hostOrderJournal(plainEnv, () => NOW);
    expect(telling.load().map((o) => o.untold)).toEqual([true]);
    telling.ended('run-telling', ['run-killed']);
    // The next plain runs of that key, each a load.
    expect(hostOrderJournal(plainEnv, () => NOW).load().map((o) => o.untold), 'the next run').toEqual([false]);
    expect(hostOrderJournal(plainEnv, () => NOW).load().map((o) => o.untold), 'the run after it').toEqual([false]);
  });
});
