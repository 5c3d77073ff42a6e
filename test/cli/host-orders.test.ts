/** The orders file beside the CLI's host lock (shared/cli/host-lock.ts): what a killed run may leave in it. */
import { appendFileSync, chownSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostOrderJournal } from '../../shared/cli/host-lock.js';

const dir = mkdtempSync(join(tmpdir(), 'redeemer-orders-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const NOW = 1_800_000_000_000;

describe('the host orders file', () => {
  it('keeps the last 24 h; a line cut by a kill, or one naming no task, is not an order', () => {
    const env = { TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:1', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' };
    const journal = hostOrderJournal(env, () => NOW);
    journal.placed({ domainName: 'old.com', taskNo: 'T-old', sentMs: NOW - 86_400_000 });
    journal.placed({ domainName: 'kept.com', taskNo: 'T-kept', sentMs: NOW - 3_600_000 });
    const [file] = readdir(dir);
    writeFileSync(join(dir, file!), `${readFileSync(join(dir, file!), 'utf8')}{"domainName":"blank.com","taskNo":"  ","sentMs":${NOW}}\n{"domainName":"cut.com","taskNo":"T-c`);
    expect(journal.load(NOW)).toEqual([{ domainName: 'kept.com', taskNo: 'T-kept', sentMs: NOW - 3_600_000, runId: undefined, untold: false }]);
    expect(readFileSync(join(dir, file!), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it('another key has its own file, which is read (a domain is one at the registrar), never written; another endpoint\'s is not read', () => {
    const a = hostOrderJournal({ TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:2', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' }, () => NOW);
    const b = hostOrderJournal({ TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:2', ALIBABA_CLOUD_ACCESS_KEY_ID: 'other' }, () => NOW);
    const elsewhere = hostOrderJournal({ TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:22', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' }, () => NOW);
    a.placed({ domainName: 'a.com', taskNo: 'T-a', sentMs: NOW });
    const files = () => readdir(dir).filter((f) => readFileSync(join(dir, f), 'utf8').includes('T-a'));
    expect(files()).toHaveLength(1);
    expect(b.load(NOW).map((o) => o.taskNo)).toEqual(['T-a']);
    // b's load compacted b's own file only: a's order is still in a's file alone.
    expect(files()).toHaveLength(1);
    expect(elsewhere.load(NOW)).toEqual([]);
    expect(a.load(NOW)).toHaveLength(1);
  });

  it("another key's file: an older version's line (no registrar named) is not read, its own run's is", () => {
    const a = hostOrderJournal({ TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:15', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' }, () => NOW);
    const b = hostOrderJournal({ TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:15', ALIBABA_CLOUD_ACCESS_KEY_ID: 'other' }, () => NOW);
    a.placed({ domainName: 'a.com', taskNo: 'T-5', sentMs: NOW });
    const file = readdir(dir).map((f) => join(dir, f)).find((f) => readFileSync(f, 'utf8').includes('T-5'))!;
    writeFileSync(file, `${JSON.stringify({ domainName: 'old.com', taskNo: 'T-5-old', sentMs: NOW })}\n`);
    expect(b.load(NOW)).toEqual([]);
    // Its own run reads it, and tags it when it rewrites the file: from then on the other keys read it too.
    expect(a.load(NOW).map((o) => o.taskNo)).toEqual(['T-5-old']);
    expect(b.load(NOW).map((o) => o.taskNo)).toEqual(['T-5-old']);
  });
});

function readdir(path: string): string[] {
  return readdirSync(path).filter((f) => f.endsWith('.orders'));
}

describe('which orders were told to a person', () => {
  it('an order of a run that wrote no told line is untold; a run that ended marks its own and the earlier runs it told', () => {
    const journal = hostOrderJournal({ TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:3', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' }, () => NOW);
    journal.placed({ domainName: 'killed.com', taskNo: 'T-1', sentMs: NOW - 60_000, runId: 'run-killed' });
    journal.placed({ domainName: 'done.com', taskNo: 'T-2', sentMs: NOW - 30_000, runId: 'run-done' });
    journal.ended('run-done', []);
    expect(journal.load(NOW).map((o) => [o.domainName, o.untold])).toEqual([['killed.com', true], ['done.com', false]]);
    journal.ended('run-next', ['run-killed']);
    expect(journal.load(NOW).map((o) => [o.domainName, o.untold])).toEqual([['killed.com', false], ['done.com', false]]);
  });
});

describe('after a kill mid-append', () => {
  it('the next run\'s first order is not glued to the cut line: the load before it rewrites the file whole', () => {
    const env = { TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:4', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' };
    const journal = hostOrderJournal(env, () => NOW);
    journal.placed({ domainName: 'before.com', taskNo: 'T-b', sentMs: NOW - 1_000, runId: 'r1' });
    const file = readdir(dir).map((f) => join(dir, f)).find((f) => readFileSync(f, 'utf8').includes('T-b'))!;
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"domainName":"cut.com","taskNo":"T-c`);
    journal.load(NOW);
    journal.placed({ domainName: 'after.com', taskNo: 'T-a', sentMs: NOW, runId: 'r2' });
    expect(journal.load(NOW).map((o) => o.domainName)).toEqual(['before.com', 'after.com']);
  });
});

describe('an order dated after now', () => {
  // The machine's clock ran ahead when a run wrote it (NTP set it back since), or the line is garbage:
  // nothing orders in the future, so the hold must end within 24 h of the moment it is read, not a day
  // after the date it names (a domain held that long as task-in-flight passes its deadline unordered).
  it('holds its domain for at most 24 h from the load that finds it', () => {
    const env = { TMPDIR: dir, DOMAIN_ENDPOINT: 'http://127.0.0.1:5', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' };
    hostOrderJournal(env, () => NOW + 30 * 86_400_000).placed({ domainName: 'ahead.com', taskNo: 'T-ahead', sentMs: NOW + 30 * 86_400_000, runId: 'r-ahead' });
    const first = hostOrderJournal(env, () => NOW).load();
    expect(first.map((o) => o.domainName)).toEqual(['ahead.com']);
    expect(first[0]!.sentMs, 'read as placed no later than now').toBeLessThanOrEqual(NOW);
    expect(hostOrderJournal(env, () => NOW + 25 * 3_600_000).load(), 'a day and an hour later').toEqual([]);
  });
});

describe('a file no run of this user wrote whole', () => {
  const orderLine = (domainName: string) => `${JSON.stringify({ domainName, taskNo: `T-${domainName}`, sentMs: NOW - 60_000, runId: 'r' })}\n`;
  const pathOf = (env: { TMPDIR: string }) => {
    const probe = hostOrderJournal(env, () => NOW);
    probe.placed({ domainName: 'probe.com', taskNo: 'T-probe', sentMs: NOW - 1, runId: 'probe' });
    const file = readdir(env.TMPDIR).map((f) => join(env.TMPDIR, f))[0]!;
    rmSync(file);
    return file;
  };

  // A file of any size must not cost the orders at its end: read whole, one over the longest string a JS
  // engine holds (512 MiB) failed to read, was taken as empty, and the compaction emptied it.
  it('a huge file is read from its end (bounded): the orders written last still hold', () => {
    const own = mkdtempSync(join(dir, 'huge-'));
    const env = { TMPDIR: own, DOMAIN_ENDPOINT: 'http://127.0.0.1:6', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' };
    const file = pathOf(env);
    writeFileSync(file, '');
    truncateSync(file, 600 * 1024 * 1024);
    appendFileSync(file, `\n${orderLine('last.com')}`);
    const started = Date.now();
    expect(hostOrderJournal(env, () => NOW).load().map((o) => o.domainName)).toEqual(['last.com']);
    expect(Date.now() - started, 'read in bounded time').toBeLessThan(2_000);
    rmSync(own, { recursive: true, force: true });
  });

  // A shared temp folder (/tmp on a machine with several users): the file's name is predictable, so another
  // user may have put a link there (to make this user's run write into a file of theirs), or a file of their
  // own naming orders (that would hold this user's due domains as task-in-flight for a day).
  it('a symbolic link in its place is neither read nor written through', () => {
    const own = mkdtempSync(join(dir, 'link-'));
    const env = { TMPDIR: own, DOMAIN_ENDPOINT: 'http://127.0.0.1:7', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' };
    const file = pathOf(env);
    const victim = join(own, 'victim.txt');
    writeFileSync(victim, orderLine('planted.com'));
    symlinkSync(victim, file);
    const journal = hostOrderJournal(env, () => NOW);
    expect(journal.load().map((o) => o.domainName), 'orders read through the link').toEqual([]);
    journal.placed({ domainName: 'mine.com', taskNo: 'T-mine', sentMs: NOW, runId: 'r2' });
    expect(readFileSync(victim, 'utf8'), 'the file the link points to').toBe(orderLine('planted.com'));
    rmSync(own, { recursive: true, force: true });
  });

  it.skipIf(process.getuid?.() !== 0)('a file another user owns is not believed (run as root: the test gives the file away)', () => {
    const own = mkdtempSync(join(dir, 'other-'));
    const env = { TMPDIR: own, DOMAIN_ENDPOINT: 'http://127.0.0.1:8', ALIBABA_CLOUD_ACCESS_KEY_ID: 'k' };
    const file = pathOf(env);
    writeFileSync(file, orderLine('planted.com'), { mode: 0o666 });
    chownSync(file, 65534, 65534);
    const journal = hostOrderJournal(env, () => NOW);
    expect(journal.load().map((o) => o.domainName)).toEqual([]);
    rmSync(own, { recursive: true, force: true });
  });
});
