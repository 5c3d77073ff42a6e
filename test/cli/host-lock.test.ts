/**
 * The CLI's host lock (shared/cli/host-lock.ts) after its owner was killed and its process id went to
 * another process: in a container restarted with its temp folder on a volume the new CLI often gets the
 * very id the killed one had; after a reboot, any process may have it. Such a lock is stale: waiting on it
 * made every live run wait its whole budget and fail ("another live run on this machine still holds").
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { withHostLock } from '../../shared/cli/host-lock.js';
import { startStandin } from '../support/registrar-standin.js';
import { ROOT } from '../support/spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'redeemer-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The lock file a run of `env` takes, as that run wrote it (read while it holds the lock). */
async function lockOf(env: Record<string, string>): Promise<{ path: string; content: string }> {
  let seen = { path: '', content: '' };
  await withHostLock(env, 1_000, async () => {
    const name = readdirSync(env.TMPDIR!).find((f) => f.endsWith('.lock'))!;
    seen = { path: join(env.TMPDIR!, name), content: readFileSync(join(env.TMPDIR!, name), 'utf8') };
  });
  return seen;
}

/** A temp folder of its own for each case. */
const own = () => mkdtempSync(join(dir, 'case-'));

describe('a lock left by a killed run whose process id now belongs to another process', () => {
  it('the id is this very process (a restarted container): taken over at once', async () => {
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'own-pid' };
    const { path, content } = await lockOf(env);
    // What the killed run left: its content, with this process's id where its own was.
    writeFileSync(path, content.replace(/^\d+/, String(process.pid)));
    const started = Date.now();
    await expect(withHostLock(env, 2_000, async () => 'ran')).resolves.toBe('ran');
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('the id is another live process that is no redeemer run (reused after the owner died): taken over at once', async () => {
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'reused-pid' };
    const { path, content } = await lockOf(env);
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((resolve) => other.once('spawn', resolve));
      writeFileSync(path, content.replace(/^\d+/, String(other.pid)));
      const started = Date.now();
      await expect(withHostLock(env, 2_000, async () => 'ran')).resolves.toBe('ran');
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('a live run of another process still holds it: the next run waits, and says so when its time is up', async () => {
    // A live CLI run (the built one) held on its first call by a registrar that answers after 3 s.
    const standin = await startStandin({ delayMs: () => 3_000 });
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: standin.url, ALIBABA_CLOUD_ACCESS_KEY_ID: 'held', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' };
    const holder = spawn(process.execPath, ['dist/cli/index.js', 'run', '--mode', 'live', '--budget-seconds', '10'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', REDEEM_DOMAINS: '*', ...env } });
    try {
      while (standin.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await expect(withHostLock(env, 500, async () => 'ran')).rejects.toThrow(/another live run on this machine still holds/);
    } finally {
      holder.kill('SIGKILL');
      await standin.close();
    }
  }, 20_000);
});

describe('a lock that is being created', () => {
  // Another run has just created the lock file (exclusively) and not yet written its id into it: a waiter
  // that reads it in that moment finds it empty. Taken over as stale, two live runs would go on at once
  // on one machine (both past the day's cap, both ordering a domain the registrar does not list yet).
  it('an empty lock file a moment old is held, not taken over', async () => {
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'creating' };
    const { path } = await lockOf(env);
    writeFileSync(path, '');
    await expect(withHostLock(env, 500, async () => 'ran')).rejects.toThrow(/another live run on this machine still holds/);
  });

  it('an empty lock file left long ago (its creator killed before it wrote) is taken over', async () => {
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'creator-killed' };
    const { path } = await lockOf(env);
    writeFileSync(path, '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    await expect(withHostLock(env, 2_000, async () => 'ran')).resolves.toBe('ran');
  });
});

describe('something no live run holds, in the lock\'s place, that cannot be removed', () => {
  // A folder there (or, in a sticky /tmp, another user's leftover): no run holds it, and the wait can never
  // end by itself. "Another live run still holds it" sent a person to wait for a run that does not exist.
  it('the wait ends with a message that says what is in the way and what to do', async () => {
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: 'http://127.0.0.1:5', ALIBABA_CLOUD_ACCESS_KEY_ID: 'in-the-way' };
    const { path } = await lockOf(env);
    mkdirSync(join(path, 'inside'), { recursive: true });
    await expect(withHostLock(env, 500, async () => 'ran')).rejects.toThrow(/is in the way of the host lock: no live run holds it, and this user cannot remove it \(E[A-Z]+\); remove it, or set TMPDIR/);
  });
});

describe('a temp folder the lock cannot be made in', () => {
  // The user's own setting (TMPDIR, or the OS temp folder): a live run cannot take turns without it. The
  // message must name the variable to mend, and the exit code say bad configuration (2), not a failed run.
  it('TMPDIR naming no folder: exit 2, and the message names TMPDIR', async () => {
    const { finished } = await import('../support/spawn.js');
    const env = { TMPDIR: join(own(), 'missing', 'dir'), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', REDEEM_DOMAINS: '*', ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' };
    const child = spawn(process.execPath, ['dist/cli/index.js', 'run', '--mode', 'live', '--budget-seconds', '10'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
    const done = await finished(child);
    expect(done.stderr).toMatch(/TMPDIR/);
    expect(done.stderr).not.toMatch(/\n\s+at /);
    expect(done.code, done.stderr).toBe(2);
  }, 20_000);
});

/** Whether this machine lets a test start a process in a PID namespace of its own (user namespaces allowed). */
function canUnshare(): boolean {
  try {
    return execFileSync('unshare', ['--user', '--map-root-user', '--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore', timeout: 5_000 }) !== undefined;
  } catch {
    return false;
  }
}

describe('a live run in another PID namespace (two containers sharing one temp folder on a volume)', () => {
  // Its process id means nothing here: no such process, or another one. Judged by the id, its lock was
  // stale at once, and a second live run went on beside it.
  it.skipIf(!canUnshare())('holds the lock while it runs: the run outside waits, and says so when its time is up', async () => {
    const standin = await startStandin({ delayMs: () => 3_000 });
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: standin.url, ALIBABA_CLOUD_ACCESS_KEY_ID: 'namespaced', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' };
    const holder = spawn('unshare', ['--user', '--map-root-user', '--pid', '--fork', '--mount-proc', process.execPath, 'dist/cli/index.js', 'run', '--mode', 'live', '--budget-seconds', '10'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', REDEEM_DOMAINS: '*', ...env } });
    try {
      while (standin.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
      await expect(withHostLock(env, 500, async () => 'ran')).rejects.toThrow(/another live run on this machine still holds/);
    } finally {
      holder.kill('SIGKILL');
      await standin.close();
    }
  }, 20_000);

  it('its lock, no longer touched (its holder killed), is taken over', async () => {
    const env = { TMPDIR: own(), DOMAIN_ENDPOINT: 'http://127.0.0.1:4', ALIBABA_CLOUD_ACCESS_KEY_ID: 'namespaced-dead' };
    const { path, content } = await lockOf(env);
    if (content.split(' ').length < 3) return; // no PID namespace named here (not Linux)
    writeFileSync(path, content.replace(/pid:\[\d+\]$/, 'pid:[1]'));
    const old = new Date(Date.now() - 60_000);
    utimesSync(path, old, old);
    await expect(withHostLock(env, 2_000, async () => 'ran')).resolves.toBe('ran');
  });
});
