/**
 * Two live CLI runs that start together after a run was killed find its lock stale at the same moment. Each
 * judges it stale (its owner is gone) and removes it by name. If the other waiter has already removed it and
 * taken the lock anew in between (so its own run has begun), the name now stands for that live run's lock:
 * removed by name, it is gone, the second waiter takes the lock too, and the two runs order side by side
 * (both past the day's cap, both ordering a domain the registrar does not list yet). The check and the
 * removal are two steps; here the other waiter's takeover is put between them, deterministically, at the
 * moment the first waiter has read the stale lock (found by H31's kill-and-race fuzz of the host lock).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

/** Armed with the lock's path: right after the next read of it, another waiter takes it over (see below). */
const race = vi.hoisted(() => ({ lockPath: '', takeover: undefined as (() => void) | undefined, fd: -1 }));

vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  // The lock is read through an open descriptor (readFileSafe): the one opened on the lock's path.
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
  return { ...fs, default: { ...fs, openSync, readFileSync }, openSync, readFileSync };
});

const { withHostLock } = await import('../../shared/cli/host-lock.js');
const fs = await vi.importActual<typeof import('node:fs')>('node:fs');

const dir = mkdtempSync(join(tmpdir(), 'redeemer-takeover-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a stale lock two waiters take over at once', () => {
  it('the waiter that judged it stale does not remove the lock the other waiter has taken since: it waits', async () => {
    const env = { TMPDIR: mkdtempSync(join(dir, 'case-')), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'takeover' };
    // The lock's name, from a run that takes it once; then what a killed run leaves there: the id of a process that has ended.
    await withHostLock(env, 1_000, async () => {
      race.lockPath = join(env.TMPDIR, readdirSync(env.TMPDIR).find((f) => f.endsWith('.lock'))!);
    });
    const ended = spawnSync(process.execPath, ['-e', '']).pid!;
    fs.writeFileSync(race.lockPath, String(ended));
    // The other waiter: a live process, whose lock (its id) replaces the stale one between this waiter's read and its removal.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((resolve) => other.once('spawn', resolve));
      race.takeover = () => {
        fs.unlinkSync(race.lockPath);
        fs.writeFileSync(race.lockPath, String(other.pid));
      };
      let ran = false;
      const waited = withHostLock(env, 800, async () => {
        ran = true;
      });
      await expect(waited, 'the second waiter, while the other holds the lock').rejects.toThrow(/another live run on this machine still holds/);
      expect(ran, 'the second run went on beside the other').toBe(false);
      expect(readFileSync(race.lockPath, 'utf8'), "the other waiter's lock").toBe(String(other.pid));
    } finally {
      other.kill('SIGKILL');
    }
  });

  it("a run whose lock another waiter took over while it ran (its heartbeat not seen for 15 s) does not remove that waiter's lock when it ends", async () => {
    const env = { TMPDIR: mkdtempSync(join(dir, 'case-')), DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'release' };
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)']);
    try {
      await new Promise((resolve) => other.once('spawn', resolve));
      let path = '';
      await withHostLock(env, 1_000, async () => {
        path = join(env.TMPDIR, readdirSync(env.TMPDIR).find((f) => f.endsWith('.lock'))!);
        // Judged stale from another PID namespace (a paused container's lock, untouched for 15 s) and taken over.
        fs.unlinkSync(path);
        fs.writeFileSync(path, String(other.pid));
      });
      expect(fs.existsSync(path) ? readFileSync(path, 'utf8') : 'removed', "the other run's lock, once this run ended").toBe(String(other.pid));
    } finally {
      other.kill('SIGKILL');
    }
  });
});
