/**
 * The CLI's orders file (shared/cli/host-lock.ts) is what holds, for the next live run on this machine, an
 * order the registrar does not list yet (the docs promise nothing about when a task shows). Only a regular
 * file of this user's is believed or written, so something else in its place (a link another user of a
 * shared /tmp put there, a folder) turns that hold off. The run goes on (the ledger's look still holds),
 * but a person must hear that this machine's next run will not know of this run's orders, as a logstore
 * read-back that fails is said under "Not read".
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hostOrderJournal } from '../../shared/cli/host-lock.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import { domainItem } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { completeRecords, spawnCli } from '../safety/harness.js';
import { dueExpiration, standinEnv, standinPerTest } from '../safety/standin-runs.js';

const dir = mkdtempSync(join(tmpdir(), 'redeemer-orders-unusable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const start = standinPerTest();

/** The orders file's path for `env` (its name is the scope's hash): found by writing one and removing it. */
function ordersPath(env: { TMPDIR: string } & Record<string, string>): string {
  hostOrderJournal(env).placed({ domainName: 'probe.com', taskNo: 'T-probe', sentMs: Date.now(), runId: 'probe' });
  const file = join(env.TMPDIR, readdirSync(env.TMPDIR).find((f) => f.endsWith('.orders'))!);
  rmSync(file);
  return file;
}

describe('something that is not a file of this user\'s in the orders file\'s place', () => {
  for (const what of ['a symbolic link', 'a folder', 'a named pipe (FIFO)'] as const) {
    it(`${what}: the live run still orders, and says under "Not read" that its orders are not kept for the next run`, async () => {
      const s = await start({ domains: [domainItem('kept.com', dueExpiration('kept.com'))], listAfterMs: 120_000, newTaskStatus: 0 });
      const env = {
        ...standinEnv({ url: s.url } as never, { REDEEM_FOLLOW_SECONDS: '1' }),
        ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
        TMPDIR: mkdtempSync(join(dir, 'case-')),
      };
      const path = ordersPath(env);
      if (what === 'a folder') mkdirSync(path);
      // Opened for reading, a FIFO with no writer blocks the opener (here: the whole CLI, for ever).
      else if (what === 'a named pipe (FIFO)') execFileSync('mkfifo', [path]);
      else {
        writeFileSync(join(env.TMPDIR, 'theirs.txt'), '');
        symlinkSync(join(env.TMPDIR, 'theirs.txt'), path);
      }
      const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], env);
      const hung = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const done = await finished(child).finally(() => clearTimeout(hung));
      expect(done.code, 'the run ended by itself (not killed after 15 s)').toBe(0);
      const records = completeRecords(done.stdout);
      expect(s.orders.map((o) => o.domainName), done.stderr).toEqual(['kept.com']);
      const run = records.findLast((r) => r.kind === 'run');
      expect(String(run?.read_problems ?? ''), 'the run record\'s read_problems').toMatch(/orders file/);
      expect(done.stderr, 'the summary').toMatch(/orders file/);
    }, 30_000);
  }
});


describe('a named pipe (FIFO) in the host lock\'s place', () => {
  it('does not hang the run: it is no lock of a run, and is taken over', async () => {
    const s = await start({ domains: [domainItem('piped.com', dueExpiration('piped.com'))], newTaskStatus: 0 });
    const env = {
      ...standinEnv({ url: s.url } as never, { REDEEM_FOLLOW_SECONDS: '1' }),
      ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
      TMPDIR: mkdtempSync(join(dir, 'lock-')),
    };
    execFileSync('mkfifo', [ordersPath(env).replace(/\.orders$/, '.lock')]);
    const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], env);
    const hung = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const done = await finished(child).finally(() => clearTimeout(hung));
    expect(done.code, `the run ended by itself (not killed after 15 s): ${done.stderr}`).toBe(0);
    expect(s.orders.map((o) => o.domainName)).toEqual(['piped.com']);
  }, 30_000);
});
