/**
 * Live CLI runs on one machine take turns: a lock file (created exclusively, holding the owner's pid) in
 * the OS temp folder, per endpoint and access key. A lock whose owner process is gone is taken over. This
 * is a convenience for one machine; across machines the ledger's fresh look holds the caps.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Env } from '../config/index.js';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(path: string): boolean {
  try {
    const fd = openSync(path, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number(readFileSafe(path));
    if (Number.isInteger(owner) && owner > 0 && alive(owner)) return false;
    try {
      unlinkSync(path);
    } catch {
      // Another waiter took it over first; try again on the next round.
    }
    return false;
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export async function withHostLock<T>(env: Env, waitMs: number, work: () => Promise<T>): Promise<T> {
  const scope = createHash('sha256').update(`${env.DOMAIN_ENDPOINT ?? env.DOMAIN_SITE ?? 'intl'}\u0000${env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? ''}`).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `domain-redeemer-${scope}.lock`);
  const until = Date.now() + waitMs;
  while (!tryLock(path)) {
    if (Date.now() > until) throw new Error(`another live run on this machine still holds ${path}; try again when it has finished`);
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 100)));
  }
  try {
    return await work();
  } finally {
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  }
}
