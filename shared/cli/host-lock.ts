/**
 * Live CLI runs on one machine take turns: a lock file (created exclusively, holding the owner's pid) in
 * the OS temp folder, per endpoint and user of the machine (every key: see lockScope). A lock whose owner
 * process is gone is taken over. This is a convenience for one machine; across machines the ledger's fresh
 * look holds the caps.
 *
 * Beside the lock, the orders of the last 24 h that the registrar answered with a task number (one JSON
 * line each, written the moment the answer is read): the registrar may list a task only some time after it
 * took the order, and its redemption list lags by up to a day, so the next run on this machine (or the run
 * after one that was killed) would otherwise find the domain listed, no task for it, and order it again.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants as fsConstants, existsSync, fstatSync, linkSync, lstatSync, openSync, readdirSync, readFileSync, readlinkSync, readSync, renameSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { STS_KEY_PREFIX, type Env } from '../config/index.js';
import { errorMessage, UserError } from '../errors/index.js';
import { SITES, type DomainSite } from '../domain-api/sites.js';
import { submissionKey, type JournalAttempt, type JournalOrder, type OrderJournal } from '../run/index.js';

const DAY_MS = 86_400_000;
/** More than any account's day of orders; a file grown past it is read from its end. */
const MAX_JOURNAL_LINES = 5_000;
/**
 * The most of the orders file read: its last 2 MiB, more than MAX_JOURNAL_LINES lines of ours (a line is
 * about 150 bytes). Read whole, a file of any size was read at once, and one over the longest string a JS
 * engine holds (512 MiB) failed, counted as empty, and was emptied by the compaction, its orders lost.
 */
const MAX_JOURNAL_BYTES = 2 * 1024 * 1024;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Which process a pid names, beyond the number: the boot and the start time (Linux /proc), or "" where the
 * system does not say. A process id is reused: after a reboot any process may have the killed owner's, and a
 * restarted container often gives the new run the very one the killed run had.
 */
function processIdentity(pid: number): string {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22 (starttime), counted after the command name, which may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const started = fields[19];
    return boot && started ? `${boot}:${started}` : '';
  } catch {
    return '';
  }
}

/**
 * The PID namespace this process's ids belong to ("pid:[4026531836]"), or "" where the system does not say.
 * Two containers sharing one temp folder on a volume have namespaces of their own: an id from the other is
 * no process here, or another one, so its lock looked stale at once and two live runs went on together.
 */
function pidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

/**
 * A lock written in another PID namespace cannot be judged by its id: its holder touches it every
 * HEARTBEAT_MS while it runs, and one untouched for NAMESPACE_STALE_MS was left by a holder that died.
 */
const HEARTBEAT_MS = 3_000;
const NAMESPACE_STALE_MS = 15_000;

/**
 * How long an empty lock counts as held: its creator may be between creating it and writing its id (an
 * older version wrote in two steps; this one links a written file into place), and a waiter that took it
 * over then would run beside it. An empty lock older than this was left by a creator killed in between.
 */
const EMPTY_LOCK_GRACE_MS = 5_000;

/** Whether the lock's content names a live run other than this process: "<pid> <identity>" (or a bare pid, as older versions wrote). */
function heldByAnother(content: string, path: string): boolean {
  if (content.trim() === '') {
    try {
      return Date.now() - statSync(path).mtimeMs < EMPTY_LOCK_GRACE_MS;
    } catch {
      return false;
    }
  }
  const [pidText, identity, namespace] = content.trim().split(/\s+/);
  const owner = Number(pidText);
  if (!Number.isInteger(owner) || owner <= 0) return false;
  // Written in another PID namespace: its id says nothing here; its heartbeat does.
  const here = pidNamespace();
  if (namespace && here && namespace !== here) {
    try {
      return Date.now() - statSync(path).mtimeMs < NAMESPACE_STALE_MS;
    } catch {
      return false;
    }
  }
  // This process is waiting for the lock, so it does not hold it: the id was the killed owner's.
  if (owner === process.pid) return false;
  if (!alive(owner)) return false;
  // Alive, but another process than the one that wrote the lock (its id reused): stale.
  if (identity) {
    const now = processIdentity(owner);
    if (now !== '' && now !== identity) return false;
  }
  return true;
}

/** What this process writes in the lock: "<pid> <boot:start> <pid namespace>"; the namespace only beside an identity (older readers take the second field as one). */
function lockContent(): string {
  const identity = processIdentity(process.pid);
  const namespace = pidNamespace();
  return `${process.pid} ${identity}${identity && namespace ? ` ${namespace}` : ''}`.trim();
}

/**
 * Creates the lock with its content already in it: written aside, then hard-linked into place (a link
 * fails if the lock exists, as an exclusive create does), so no waiter ever reads it empty. Where the file
 * system has no hard links, an exclusive create and a write (see EMPTY_LOCK_GRACE_MS).
 */
function createLock(path: string): void {
  const content = lockContent();
  const aside = `${path}.${process.pid}.new`;
  let linked = false;
  try {
    rmSync(aside, { force: true });
    writeFileSync(aside, content, { flag: 'wx', mode: 0o600 });
    linkSync(aside, path);
    linked = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && existsSync(aside)) throw error;
    // No hard links here, or the file aside could not be made (another user's leftover): the two steps.
  } finally {
    try {
      rmSync(aside, { force: true });
    } catch {
      // Another user's leftover: not ours to remove.
    }
  }
  if (linked) return;
  const fd = openSync(path, 'wx');
  writeSync(fd, content);
  closeSync(fd);
}

/** True when taken; else 'held' (a live run has it), or why a stale lock could not be removed (its code). */
function tryLock(path: string): true | 'held' | { readonly stuck: string } {
  try {
    createLock(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const lock = readLock(path);
    if (heldByAnother(lock.content, path)) return 'held';
    try {
      removeStale(path, lock);
    } catch (unlinkError) {
      // Gone: another waiter took it over first; try again on the next round. Anything else (another user's
      // file in a sticky /tmp, a folder) stays in the way, and no live run holds it: said so when the wait ends.
      const code = (unlinkError as NodeJS.ErrnoException).code ?? 'an error';
      if (code !== 'ENOENT') return { stuck: code };
    }
    return 'held';
  }
}

/** Not through a symbolic link, where the system can say so (0 elsewhere). */
const NO_FOLLOW = fsConstants.O_NOFOLLOW ?? 0;

/**
 * Never waiting in open(2): a named pipe (FIFO) at one of these predictable paths (another user's, in a
 * shared /tmp) blocked the open until a writer came, and with it the whole CLI, for ever, before the run
 * started and without a word. Regular files ignore it (0 where the system has none).
 */
const NO_BLOCK = fsConstants.O_NONBLOCK ?? 0;

/**
 * What the lock holds, which file that is (`file`: device and inode) and how many names that file has; a
 * lock that is not a regular file (a FIFO, a folder) holds no run's id.
 */
function readLock(path: string): { readonly content: string; readonly file?: string; readonly links: number } {
  let fd: number | undefined;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | NO_BLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { content: 'not a lock file', links: 0 };
    return { content: readFileSync(fd, 'utf8'), file: `${stat.dev}:${stat.ino}`, links: stat.nlink };
  } catch {
    return { content: '', links: 0 };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The file at `path` now (device and inode), without reading it; undefined when nothing is there. */
function fileAt(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `${stat.dev}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/** The part of a process's identity (see processIdentity) a probe's name carries: "" where the system does not say. */
function probeTag(pid: number): string {
  return processIdentity(pid).replace(/[^0-9a-z]/gi, '');
}

/** This waiter's probe of the lock (see removeStale): "<lock>.<pid>.<tag>.probe", or "<lock>.<pid>.probe" without a tag. */
function probeName(path: string): string {
  const tag = probeTag(process.pid);
  return `${path}.${process.pid}${tag ? `.${tag}` : ''}.probe`;
}

/**
 * Removes the probes (see removeStale) of this lock left by waiters killed while they looked: the process
 * its name gives is gone, or is another one (its id reused, as a restarted container reuses them), which
 * the tag tells where the system says which process a pid names. Removes too the other names of the lock's
 * file `judged` (the file removeStale is about to remove) that no waiter looks through: its creator's name
 * aside (createLock: killed after linking it into place, before removing that name) and a waiter's aside
 * (moveAside: killed after linking the lock back, before removing it). Counted as another waiter's probe,
 * either kept the lock for ever: never taken over, nor removed at its run's end.
 */
function removeDeadProbes(path: string, judged: string): void {
  const prefix = `${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    if (/^\d+\.(?:new|stale)$/.test(name.slice(prefix.length)) && fileAt(join(dirname(path), name)) === judged) {
      try {
        rmSync(join(dirname(path), name), { force: true });
      } catch {
        // Another user's: its hold on the file stays, said when the wait ends.
      }
      continue;
    }
    if (!name.endsWith('.probe')) continue;
    const [pidText = '', tag = ''] = name.slice(prefix.length, -'.probe'.length).split('.');
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    if (alive(pid)) {
      const now = probeTag(pid);
      if (now === '' || now === tag) continue;
    }
    try {
      rmSync(join(dirname(path), name), { force: true });
    } catch {
      // Another user's: its hold on the file stays, said when the wait ends.
    }
  }
}

/**
 * Removes the lock judged stale (or, at the end of a run, judged its own), and only that one. Removed by
 * name, the name may by then be another waiter's: two runs that start together after a kill both judge the
 * killed run's lock stale, the first removes it and takes the lock anew, and the second, between its look
 * and its removal, removed that live run's lock and took the lock too: two live runs at once (both past the
 * day's cap). Moved aside, checked and linked back, a third waiter could take the name while it was free:
 * the link back failed, and the first waiter's live lock was removed with the file aside (three runs after
 * a kill: the first and the third then ran side by side). So the lock is first looked at through a name of
 * this waiter's (a hard link, `.probe`: the file at the name when linked, whatever the name holds later):
 * a file that is not the one judged is left alone, never moved. The judged one is moved aside only when no
 * other waiter holds a probe of it (its count of names is the lock's and this probe's) and the name still
 * holds it: a waiter can move the file only while no other probe of it exists, and every other waiter's
 * probe is made before it looks, so one waiter at most moves it, and the move takes that file. Two that
 * look at once both leave it to the next round. A probe left by a killed waiter is removed (its process
 * gone, or its id another process's now). Where the file system has no hard links, or does not count
 * them: moved aside, checked and put back, as before.
 */
function removeStale(path: string, judged: { readonly content: string; readonly file?: string }): void {
  if (judged.file === undefined) return void unlinkSync(path);
  const probe = probeName(path);
  rmSync(probe, { force: true });
  try {
    linkSync(path, probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EEXIST') throw error;
    return moveAside(path, judged);
  }
  try {
    let seen = readLock(probe);
    if (seen.file !== judged.file || seen.content !== judged.content) return;
    if (seen.links > 2) {
      removeDeadProbes(path, judged.file);
      seen = readLock(probe);
    }
    if (fileAt(path) !== judged.file) return;
    // Linked, yet counted as one name: a file system that does not count them (some network and FUSE
    // mounts); its count says nothing, and the lock is moved aside and checked as where there are no links.
    if (seen.links <= 2) moveAside(path, judged);
  } finally {
    rmSync(probe, { force: true });
  }
}

/** Moves the lock aside, checks it is the file judged, and removes it; one that is not is put back under its name, never over a lock made since. */
function moveAside(path: string, judged: { readonly content: string; readonly file?: string }): void {
  const aside = `${path}.${process.pid}.stale`;
  rmSync(aside, { force: true });
  renameSync(path, aside);
  const moved = readLock(aside);
  if (moved.file !== judged.file || moved.content !== judged.content) {
    try {
      linkSync(aside, path);
    } catch (error) {
      // EEXIST: a lock was made since, and is that run's. No hard links here: back by rename, if still free.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' && !existsSync(path)) renameSync(aside, path);
    }
  }
  rmSync(aside, { force: true });
}

/**
 * Whether an open file is one this user's runs wrote: a regular file (not a link: see NO_FOLLOW) owned by
 * this user. The temp folder may be shared (/tmp on a machine of several users) and the file's name is
 * predictable: another user's file there could name orders that hold this user's due domains as
 * task-in-flight for a day, and a link there would have this user's runs write into a file of theirs.
 * Where the system has no user ids (Windows) the folder is the user's own.
 */
function ours(fd: number): boolean {
  const stat = fstatSync(fd);
  return stat.isFile() && (typeof process.getuid !== 'function' || stat.uid === process.getuid());
}

/** Whether something is at `path` that is not a file of ours (a link, another user's file). */
function notOurs(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | NO_FOLLOW | NO_BLOCK);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  try {
    return !ours(fd);
  } finally {
    closeSync(fd);
  }
}

/** The last MAX_JOURNAL_BYTES of a file of ours ("" when it cannot be read, or is not ours); a line the cut falls in is left out. */
function readTail(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | NO_FOLLOW | NO_BLOCK);
  } catch {
    return '';
  }
  try {
    if (!ours(fd)) return '';
    const size = fstatSync(fd).size;
    const length = Math.min(size, MAX_JOURNAL_BYTES);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const n = readSync(fd, buffer, read, length - read, size - length + read);
      if (n === 0) break;
      read += n;
    }
    const text = buffer.subarray(0, read).toString('utf8');
    return size > length ? text.slice(text.indexOf('\n') + 1) : text;
  } catch {
    return '';
  } finally {
    closeSync(fd);
  }
}

/** The OS temp folder, as the CLI's environment names it (os.tmpdir() reads the process's own TMPDIR). */
function hostDir(env: Env): string {
  return env.TMPDIR || tmpdir();
}

/**
 * The lock's scope: the endpoint and the key, so that runs of one identity take turns and read each other's
 * orders. An STS key (`STS.…`) is left out: every AssumeRole answers temporary credentials of their own
 * (accounts-and-billing.md: Credentials.AccessKeyId "STS.…", with an Expiration), so the key id names the
 * session, and the next session's run found another lock and no orders file: it ran beside the first and,
 * the registrar listing the first's order late, ordered the domain again. Every STS session of this user of
 * the machine shares one scope instead: runs of other identities only take turns, and an order of another
 * account is never taken in (the run adopts only orders for domains its own redemption list holds).
 */
function hostScope(env: Env): string {
  const key = env.ALIBABA_CLOUD_ACCESS_KEY_ID?.trim() ?? '';
  // STS sessions: one scope per user of the machine, not one for all: in a shared /tmp another user's stale
  // lock cannot be removed (the sticky bit), and their orders file is not believed (see ours).
  const identity = key.startsWith(STS_KEY_PREFIX) ? `${STS_KEY_PREFIX}${process.getuid?.() ?? ''}` : key;
  return createHash('sha256').update(`${registrarOf(env)}\u0000${identity}`).digest('hex').slice(0, 16);
}

/**
 * The registrar a run of `env` talks to, in one spelling: the configuration takes DOMAIN_ENDPOINT as a URL
 * or a bare host name (https), with or without a trailing slash, in any case of scheme and host, and an
 * empty variable as unset; the raw text made each spelling a lock and an orders file of its own (a run from
 * a crontab did not read the orders of a run from a shell). The site's name stands for its own endpoint,
 * the spelling earlier versions used, so the files they left are still found.
 */
function registrarOf(env: Env): string {
  const site = env.DOMAIN_SITE?.trim() === 'cn' ? 'cn' : 'intl';
  const raw = env.DOMAIN_ENDPOINT?.trim();
  if (!raw) return site;
  try {
    const url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`);
    const endpoint = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    const named = (Object.keys(SITES) as DomainSite[]).find((s) => new URL(SITES[s].endpoint).origin === endpoint);
    return named ?? endpoint;
  } catch {
    return raw;
  }
}

/** The orders file's scope: the lock's, and for an account run (--accounts) the member account too. */
function ordersScope(env: Env, accountId: string | undefined): string {
  return accountId === undefined ? hostScope(env) : createHash('sha256').update(`${hostScope(env)}\u0000${accountId}`).digest('hex').slice(0, 16);
}

/**
 * One line of the file: an order, `{"sending": domain, "sentMs", "runId"}` (an order about to be sent, see
 * JournalAttempt), `{"released": domain, "runId"}` (that submission certainly placed no order), or
 * `{"told": runId}` (that run's orders were told to a person).
 */
type JournalLine = ({ readonly order: JournalOrder } | { readonly attempt: JournalAttempt } | { readonly released: string } | { readonly told: string }) & {
  /** The registrar it was written for (registrarOf); lines of older versions say none. */
  readonly registrar?: string | undefined;
};

function journalLine(line: string): JournalLine | undefined {
  try {
    const value = JSON.parse(line) as Record<string, unknown>;
    const registrar = typeof value.registrar === 'string' ? value.registrar : undefined;
    if (typeof value.told === 'string' && value.told !== '') return { told: value.told, registrar };
    // `{"released": domain, "runId"}`: that run's submission for the domain certainly placed no order.
    if (typeof value.released === 'string' && value.released !== '') return { released: submissionKey(typeof value.runId === 'string' ? value.runId : undefined, value.released), registrar };
    const { domainName, taskNo, sentMs, runId } = value;
    if (typeof value.sending === 'string' && value.sending !== '') {
      if (typeof sentMs !== 'number' || !Number.isFinite(sentMs)) return undefined;
      return { attempt: { domainName: value.sending, sentMs, runId: typeof runId === 'string' && runId !== '' ? runId : undefined }, registrar };
    }
    if (typeof domainName !== 'string' || domainName === '' || typeof taskNo !== 'string' || taskNo.trim() === '' || typeof sentMs !== 'number' || !Number.isFinite(sentMs)) return undefined;
    return { order: { domainName, taskNo, sentMs, runId: typeof runId === 'string' && runId !== '' ? runId : undefined }, registrar };
  } catch {
    // A line cut by a kill mid-write, or anything else: not an order we can name.
    return undefined;
  }
}

/**
 * What a file's lines say: its orders and sent submissions of the last 24 h, the runs told and the
 * submissions released. An order dated after now was written while the clock ran ahead (or the line is
 * garbage): it is read, and kept, as placed now, so that it holds its domain for 24 h at most, not until a
 * day after that date.
 */
function journalOf(lines: ReadonlyArray<JournalLine | undefined>, nowMs: number) {
  return {
    recent: lines.flatMap((l) => (l && 'order' in l && l.order.sentMs > nowMs - DAY_MS ? [{ ...l.order, sentMs: Math.min(l.order.sentMs, nowMs) }] : [])),
    sent: lines.flatMap((l) => (l && 'attempt' in l && l.attempt.sentMs > nowMs - DAY_MS ? [{ ...l.attempt, sentMs: Math.min(l.attempt.sentMs, nowMs) }] : [])),
    told: new Set(lines.flatMap((l) => (l && 'told' in l ? [l.told] : []))),
    released: new Set(lines.flatMap((l) => (l && 'released' in l ? [l.released] : []))),
  };
}

/** An orders file's name (see ordersScope): every key's and every member account's. */
const ORDERS_FILE = /^domain-redeemer-[0-9a-f]{16}\.orders$/;
/** The most of the other orders files read (the newest first): far more keys and accounts than one user runs. */
const MAX_OTHER_FILES = 64;

/**
 * The other orders files of this user's runs in the temp folder (any key, any member account), newest
 * first: see hostOrderJournal for why they are read. One that cannot be listed or read costs only its hold.
 * Only files that can hold an order count towards MAX_OTHER_FILES: regular files of this user's (readTail
 * believes no other) that are not empty. An account run leaves a file per member account, rewritten at each
 * member's load, empty for most (a Resource Directory's thousands), and a shared /tmp holds other users'
 * files: counted among the newest 64, they pushed out the one file holding the order, and the member key's
 * plain run ordered that domain again. `left`: files that could hold an order and were not read.
 */
function otherOrdersFiles(dir: string, own: string): { readonly paths: string[]; readonly left: number } {
  try {
    const files = readdirSync(dir)
      .filter((name) => ORDERS_FILE.test(name) && name !== basename(own))
      .flatMap((name) => {
        try {
          // lstat: a link is not followed (readTail opens none either).
          const stat = lstatSync(join(dir, name));
          if (!stat.isFile() || stat.size === 0 || (typeof process.getuid === 'function' && stat.uid !== process.getuid())) return [];
          return [{ path: join(dir, name), mtimeMs: stat.mtimeMs }];
        } catch {
          return [];
        }
      })
      .sort((a, b) => b.mtimeMs - a.mtimeMs);
    return { paths: files.slice(0, MAX_OTHER_FILES).map((f) => f.path), left: Math.max(0, files.length - MAX_OTHER_FILES) };
  } catch {
    return { paths: [], left: 0 };
  }
}

/** The file journal reads and writes at once. */
export interface HostOrderJournal extends OrderJournal {
  load(deadlineMs?: number): readonly JournalOrder[];
  ended(runId: string, told: readonly string[]): void;
}

/**
 * The orders file of this endpoint and key (see the header). A live run uses it under the host lock, so one
 * run at a time writes it; the doctor reads it without the lock (`readOnly`), and so never writes it (a
 * compaction beside a live run's append would lose that order). A file that cannot be read or written
 * costs only this protection: the ledger's look before each submission still holds, so it never stops a
 * run. An order whose run never wrote its `told` line (killed before its message) is loaded as untold, for
 * the next run to tell. `accountId`: the member account of an account run (--accounts), whose orders are
 * that account's ledger's, written apart.
 *
 * Read, beside its own file, are the other orders files of this user's runs of the same registrar (any key,
 * any member account; read only, never compacted: each is written by its own runs under their own lock).
 * Keyed apart, an account run and a plain run of that same account (the member's own key) did not read
 * each other's orders: the plain run right after an account run's order the registrar did not list yet
 * ordered the domain again (a second fee), and the other way round. Neither can tell which account a key
 * or a member id is of the other's (a plain run does not know its account), but a domain's name is unique
 * at the registrar: an order for it from any account is the order for it, and a run holds (and counts)
 * only orders for domains its own redemption list holds (prepareRun), so another account's hold nothing
 * of this one's. So every line names the registrar it was written for; lines of another registrar, and
 * those of older versions that name none, are left out of the other files (a run's own compaction tags
 * its file's lines). The doctor reads the same, so it says what a live run would hold.
 */
export function hostOrderJournal(env: Env, now: () => number = Date.now, accountId?: string, options: { readonly readOnly?: boolean } = {}): HostOrderJournal {
  const path = join(hostDir(env), `domain-redeemer-${ordersScope(env, accountId)}.orders`);
  const registrar = registrarOf(env);
  const append = (line: object) => {
    const value = { ...line, registrar };
    if (options.readOnly) return;
    let fd: number | undefined;
    try {
      fd = openSync(path, fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | NO_FOLLOW | NO_BLOCK, 0o600);
      // On a line of its own even after a line a kill cut short (a blank line is skipped when read).
      if (ours(fd)) writeSync(fd, `\n${JSON.stringify(value)}\n`);
    } catch {
      // See above: the ledger still holds.
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
  };
  /**
   * Older orders are out of the day: the file keeps only the last 24 h. Written aside and renamed over it,
   * so that a kill mid-write leaves the old file whole, never a truncated one. A failure leaves it as it
   * is; the next load filters it again.
   */
  const compact = (recent: readonly JournalOrder[], attempts: readonly JournalAttempt[], told: ReadonlySet<string>, released: ReadonlySet<string>, othersRuns: ReadonlySet<string>) => {
    const aside = `${path}.${process.pid}.tmp`;
    try {
      // A told line of a run whose orders another file holds is kept too: that run's file is never written
      // here (ended writes the line into this file). Dropped, the order was told again by every later load.
      const runs = new Set([...recent, ...attempts].flatMap((o) => (o.runId ? [o.runId] : [])));
      for (const id of othersRuns) runs.add(id);
      const kept = [
        ...recent.map((o) => JSON.stringify({ ...o, registrar })),
        ...attempts.map((a) => JSON.stringify({ sending: a.domainName, sentMs: a.sentMs, runId: a.runId, registrar })),
        ...attempts.filter((a) => released.has(submissionKey(a.runId, a.domainName))).map((a) => JSON.stringify({ released: a.domainName, runId: a.runId, registrar })),
        ...[...told].filter((id) => runs.has(id)).map((id) => JSON.stringify({ told: id, registrar })),
      ];
      // Created anew ('wx' follows no link, and fails on another user's file); a killed run's leftover of
      // this pid is removed first. A path that holds another user's file is left alone.
      rmSync(aside, { force: true });
      writeFileSync(aside, kept.map((line) => `${line}\n`).join(''), { flag: 'wx', mode: 0o600 });
      if (notOurs(path)) rmSync(aside, { force: true });
      else renameSync(aside, path);
      return undefined;
    } catch (error) {
      // Left as it is.
      return (error as NodeJS.ErrnoException).code ?? 'an error';
    }
  };
  // What costs the file's hold, for a person (OrderJournal.unread): the run goes on, but silently the next
  // run on this machine did not know of this run's orders, and nobody knew it. The consequence first: the
  // message cuts a line at 300 characters.
  let unread: string | undefined;
  let unreadOthers: string | undefined;
  const consequence = "this machine's next live run will not know of this run's orders until the registrar lists them";
  let attempts: readonly JournalAttempt[] = [];
  return {
    load() {
      const linesOf = (file: string) => readTail(file).split('\n').slice(-MAX_JOURNAL_LINES).map(journalLine);
      const lines = linesOf(path);
      // The other files' lines of this registrar (see above): read with this file's, never written into it.
      const otherFiles = otherOrdersFiles(hostDir(env), path);
      const others = otherFiles.paths.flatMap((file) => linesOf(file).filter((l) => l?.registrar === registrar));
      const nowMs = now();
      const { recent, sent, told, released } = journalOf(lines, nowMs);
      const theirs = journalOf(others, nowMs);
      const everyTold = new Set([...told, ...theirs.told]);
      const everyReleased = new Set([...released, ...theirs.released]);
      unread = undefined;
      // Silent, the hold of the files left out was off and nobody knew.
      unreadOthers =
        otherFiles.left > 0
          ? `an order another key or member account placed on this machine that the registrar does not list yet may not hold its domain: the ${otherFiles.left} oldest of this user's other orders files holding orders were not read (${MAX_OTHER_FILES} at most)`
          : undefined;
      if (notOurs(path)) unread = `${consequence}: the CLI's orders file ${path} is not a regular file of this user's (a link, a folder, another user's file); remove it`;
      else if (!options.readOnly) {
        const othersRuns = new Set([...theirs.recent, ...theirs.sent].flatMap((o) => (o.runId ? [o.runId] : [])));
        const failed = compact(recent, sent, told, released, othersRuns);
        if (failed) unread = `${consequence}: the CLI's orders file ${path} could not be written (${failed})`;
      }
      attempts = [...sent, ...theirs.sent].map((a) => ({ ...a, untold: a.runId !== undefined && !everyTold.has(a.runId), settled: everyReleased.has(submissionKey(a.runId, a.domainName)) }));
      return [...recent, ...theirs.recent].map((o) => ({ ...o, untold: o.runId !== undefined && !everyTold.has(o.runId) }));
    },
    placed(order) {
      append({ domainName: order.domainName, taskNo: order.taskNo, sentMs: order.sentMs, runId: order.runId });
    },
    // Before the order goes out: a run killed while it is on the wire leaves this line and no order line.
    sending(attempt) {
      append({ sending: attempt.domainName, sentMs: attempt.sentMs, runId: attempt.runId });
    },
    released(attempt) {
      append({ released: attempt.domainName, runId: attempt.runId });
    },
    attempts: () => attempts,
    unread: () => [unread, unreadOthers].filter((problem) => problem !== undefined),
    ended(runId, toldRuns) {
      for (const id of new Set([runId, ...toldRuns])) append({ told: id });
    },
  };
}

/**
 * Removes the lock if it is still this run's. Removed by name, a lock another waiter took over while this
 * run went on (judged stale from another PID namespace: this run's heartbeat unseen for 15 s, a paused
 * container) was that waiter's live lock: removed, a third run took the lock beside the second.
 */
function releaseLock(path: string): void {
  const lock = readLock(path);
  if (lock.file === undefined || lock.content.trim() !== lockContent()) return;
  try {
    removeStale(path, lock);
  } catch {
    // Already gone: nothing to release.
  }
}

/**
 * The lock's scope: the registrar and the user of the machine, whatever the key. A domain's name is unique at
 * the registrar, and a key does not say whose account it acts in: an account run (--accounts, the management
 * key through a member's role) and a plain run with that member's own key, one lock per key, ran at once and
 * both ordered a domain the registrar listed late (each reads the other's orders file only at its start).
 * Runs of other accounts on the machine take turns too: a wait, never a second fee.
 */
function lockScope(env: Env): string {
  return createHash('sha256').update(`${registrarOf(env)}\u0000user:${process.getuid?.() ?? ''}`).digest('hex').slice(0, 16);
}

export async function withHostLock<T>(env: Env, waitMs: number, work: () => Promise<T>): Promise<T> {
  const path = join(hostDir(env), `domain-redeemer-${lockScope(env)}.lock`);
  const until = Date.now() + waitMs;
  // A lock that cannot be made at all (the folder missing, not writable): the user's TMPDIR to mend, said
  // as such (exit 2), not a bare ENOENT as if the run had failed.
  const attempt = () => {
    try {
      return tryLock(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? errorMessage(error);
      throw new UserError('bad-configuration', `TMPDIR: live runs take turns through a lock file in ${hostDir(env)}${env.TMPDIR ? '' : ' (the OS temp folder)'}, and ${path} cannot be created there (${code}): set TMPDIR to a folder this user can write`, { cause: error });
    }
  };
  for (let taken = attempt(); taken !== true; taken = attempt()) {
    if (Date.now() > until) {
      // "Another live run holds it" sent a person to wait for a run that does not exist.
      if (taken !== 'held') throw new Error(`${path} is in the way of the host lock: no live run holds it, and this user cannot remove it (${taken.stuck}); remove it, or set TMPDIR to a folder of your own`);
      throw new Error(`another live run on this machine still holds ${path}; try again when it has finished`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(Math.random() * 100)));
  }
  // Seen from another PID namespace, the lock is held while it is touched (see HEARTBEAT_MS).
  const heartbeat = setInterval(() => {
    try {
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // Gone or not ours: nothing to keep alive.
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await work();
  } finally {
    clearInterval(heartbeat);
    releaseLock(path);
  }
}
