/**
 * Three live CLI runs that start together on a killed run's stale lock. The first (here "the other waiter")
 * moves the stale lock aside and takes the lock anew; the second (this process), which had judged the stale
 * lock before that, then moves the other waiter's fresh lock aside, finds it is not the file it judged, and
 * links it back; but in between a third waiter found the name free and took the lock. The link back then
 * fails (EEXIST) and the second waiter removed the file it had moved aside: the first waiter's live lock.
 * The first and the third run then order side by side, each holding "the" lock. The moves are made
 * deterministic here: the other waiter's takeover right after this waiter reads the stale lock, the third
 * waiter's right after this waiter's rename (found against shared/cli/host-lock.ts's removeStale).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

const race = vi.hoisted(() => ({ lockPath: '', takeover: undefined as (() => void) | undefined, third: undefined as (() => void) | undefined, fd: -1, noLinks: false, nlinkOne: false }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const openSync = ((path: unknown, ...rest: unknown[]) => {
    const fd = (fs.openSync as (...a: unknown[]) => number)(path, ...rest);
    if (race.takeover && path === race.lockPath) race.fd = fd;
    return fd;
  }) as typeof fs.openSync;
  const readFileSync = ((target: unknown, ...rest: unknown[]) => {
    const content = (fs.readFileSync as (...a: unknown[]) => unknown)(target, ...rest);
    if (race.takeover && target === race.fd) {
      const takeover = race.takeover;
      race.takeover = undefined;
      takeover();
    }
    return content;
  }) as typeof fs.readFileSync;
  const renameSync = ((from: unknown, to: unknown) => {
    fs.renameSync(from as string, to as string);
    if (race.third && from === race.lockPath) {
      const third = race.third;
      race.third = undefined;
      third();
    }
  }) as typeof fs.renameSync;
  // A file system without hard links (FAT, some network and FUSE mounts): link(2) refused with EPERM.
  const linkSync = ((from: unknown, to: unknown) => {
    if (race.noLinks) throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
    fs.linkSync(from as string, to as string);
  }) as typeof fs.linkSync;
  // A file system that makes hard links but does not count them (some network and FUSE mounts say nlink 1).
  const fstatSync = ((fd: number, ...rest: unknown[]) => {
    const stat = (fs.fstatSync as (...a: unknown[]) => import('node:fs').Stats)(fd, ...rest);
    if (race.nlinkOne) stat.nlink = 1;
    return stat;
  }) as typeof fs.fstatSync;
  return { ...fs, default: { ...fs, openSync, readFileSync, renameSync, linkSync, fstatSync }, openSync, readFileSync, renameSync, linkSync, fstatSync };
});

const { withHostLock } = await import('../../shared/cli/host-lock.js');
const fs = await vi.importActual<typeof import('node:fs')>('node:fs');

const dir = mkdtempSync(join(tmpdir(), 'redeemer-three-'));

type CaseEnv = Readonly<Record<string, string | undefined>> & { readonly TMPDIR: string };

/** A case's own TMPDIR, and in it the host lock a killed run left behind (it names a process that has ended). */
async function staleLock(key: string): Promise<{ env: CaseEnv; path: string }> {
  const env: CaseEnv = { TMPDIR: mkdtempSync(join(dir, 'case-')), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: key };
  let path = '';
  await withHostLock(env, 1_000, async () => {
    path = join(env.TMPDIR, readdirSync(env.TMPDIR).find((f) => f.endsWith('.lock'))!);
  });
  fs.writeFileSync(path, String(spawnSync(process.execPath, ['-e', '']).pid!));
  return { env, path };
}

/** Whether a run gets the lock, waiting 1.5 s at most. */
async function runs(env: CaseEnv): Promise<boolean> {
  let ran = false;
  await withHostLock(env, 1_500, async () => {
    ran = true;
  });
  return ran;
}
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a stale lock three waiters take over at once', () => {
  it("the waiter that judged it stale never removes the live lock another waiter took since, whoever takes the name meanwhile", async () => {
    const env = { TMPDIR: mkdtempSync(join(dir, 'case-')), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'three' };
    await withHostLock(env, 1_000, async () => {
      race.lockPath = join(env.TMPDIR, readdirSync(env.TMPDIR).find((f) => f.endsWith('.lock'))!);
    });
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.writeFileSync(race.lockPath, String(ended));
    const first = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    const third = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await Promise.all([new Promise((resolve) => first.once('spawn', resolve)), new Promise((resolve) => third.once('spawn', resolve))]);
      // The first waiter: the stale lock moved aside and removed, its own made (a new file, another inode).
      race.takeover = () => {
        fs.unlinkSync(race.lockPath);
        fs.writeFileSync(race.lockPath, String(first.pid));
      };
      // The third waiter: takes the name whenever it finds it free.
      race.third = () => {
        try {
          fs.writeFileSync(race.lockPath, String(third.pid), { flag: 'wx' });
        } catch {
          // Not free: it waits.
        }
      };
      let ran = false;
      const waited = withHostLock(env, 800, async () => {
        ran = true;
      });
      await expect(waited, 'this waiter, while the first holds the lock').rejects.toThrow(/another live run on this machine still holds/);
      expect(ran, 'this run went on beside the first').toBe(false);
      const holders = [race.lockPath, ...readdirSync(env.TMPDIR).filter((f) => f.endsWith('.stale')).map((f) => join(env.TMPDIR, f))].flatMap((p) => (fs.existsSync(p) ? [fs.readFileSync(p, 'utf8')] : []));
      expect(fs.readFileSync(race.lockPath, 'utf8'), "the first waiter's live lock, under the lock's name").toBe(String(first.pid));
      expect(holders, 'one live lock, the first waiter\'s').toEqual([String(first.pid)]);
    } finally {
      first.kill('SIGKILL');
      third.kill('SIGKILL');
    }
  });

  it('a probe left by a waiter killed while it looked does not keep the stale lock for ever', async () => {
    const { env, path } = await staleLock('probe');
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.linkSync(path, `${path}.${ended}.probe`);
    expect(await runs(env), 'the run, after the killed run and the killed waiter').toBe(true);
  });

  // A name of the lock left by a kill between two lines: its creator's file aside (createLock: linked into
  // place, killed before it removed the name aside), or a waiter's moved-aside lock it had linked back
  // (moveAside, killed before it removed the aside). Either is one more name of the lock's file, which
  // removeStale read as another waiter's probe: the lock was never taken over, nor removed at its run's end.
  it("the name aside a lock's creator, killed between linking its lock into place and removing that name, leaves does not keep the stale lock for ever", async () => {
    const { env, path } = await staleLock('created');
    const creator = fs.readFileSync(path, 'utf8').trim();
    fs.linkSync(path, `${path}.${creator}.new`);
    expect(await runs(env), 'the run, after the run killed as it took the lock').toBe(true);
    expect(readdirSync(env.TMPDIR).filter((f) => f.includes('.lock')), 'what is left of the lock').toEqual([]);
  });

  it('a live lock a waiter linked back and was killed before removing its aside is still removed at its run\'s end, and a later run takes it', async () => {
    const { env, path } = await staleLock('linked-back');
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    rmSync(path);
    // The run that holds the lock (this process, inside withHostLock), and the aside a killed waiter left of it.
    await withHostLock(env, 1_000, async () => {
      fs.linkSync(path, `${path}.${ended}.stale`);
    });
    expect(readdirSync(env.TMPDIR).filter((f) => f.endsWith('.lock')), 'the lock, after its run ended').toEqual([]);
    expect(await runs(env), 'the next run').toBe(true);
  });

  it('where the file system has no hard links, a stale lock is still taken over, and the lock removed at the end', async () => {
    const { env } = await staleLock('nolinks');
    race.noLinks = true;
    try {
      expect(await runs(env), 'the run').toBe(true);
      expect(readdirSync(env.TMPDIR).filter((f) => f.includes('.lock')), 'what is left of the lock').toEqual([]);
    } finally {
      race.noLinks = false;
    }
  });

  it('where the file system does not count hard links (nlink always 1), a stale lock is still taken over', async () => {
    const { env } = await staleLock('nlink');
    race.nlinkOne = true;
    try {
      expect(await runs(env), 'the run').toBe(true);
      expect(readdirSync(env.TMPDIR).filter((f) => f.includes('.lock')), 'what is left of the lock').toEqual([]);
    } finally {
      race.nlinkOne = false;
    }
  });

  it("a probe left by a killed waiter whose process id another live process has since is not that waiter's: the stale lock is taken over", async () => {
    if (!fs.existsSync('/proc/self/stat')) return; // which process a pid names is told by Linux /proc only
    const { env, path } = await staleLock('reused');
    // A container restarted: the killed waiter's id is now another process's (a live one, no redeemer run).
    const reused = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((resolve) => reused.once('spawn', resolve));
      fs.linkSync(path, `${path}.${reused.pid}.probe`);
      expect(await runs(env), 'the run, after the killed run and the killed waiter').toBe(true);
    } finally {
      reused.kill('SIGKILL');
    }
  });
});
