/**
 * The emulator knobs the benchmark needs: latency and QPS per action, tasks that take ten minutes, and
 * a seeded week of finished orders, each seen through the API as a client sees it.
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parseActionNumbers, SlidingWindow } from './knobs.js';
import { DAY_MS, generatePortfolio } from './portfolio.js';
import type { Emulator } from './server.js';
import { sendSigned, startEmulator } from '../support/emulator.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let running: Emulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});
async function start(options: Parameters<typeof startEmulator>[0]): Promise<Emulator> {
  running = await startEmulator(options);
  return running;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

describe('per-action numbers', () => {
  it('parses a number for every action, per action, or both', () => {
    expect(parseActionNumbers('150', 'latency-ms', 0, 1e5)).toEqual({ all: 150, byAction: {} });
    expect(parseActionNumbers('QueryDomainList=150,SaveSingleTaskForCreatingOrderRedeem=300', 'latency-ms', 0, 1e5)).toEqual({
      all: undefined,
      byAction: { QueryDomainList: 150, SaveSingleTaskForCreatingOrderRedeem: 300 },
    });
    expect(parseActionNumbers(' 50 , QueryTaskList=2.5', 'qps', 1, 1e5)).toEqual({ all: 50, byAction: { QueryTaskList: 2.5 } });
  });

  it('names the option and the part it cannot read', () => {
    expect(() => parseActionNumbers('QueryDomainList=fast', 'latency-ms', 0, 1e5)).toThrow('--latency-ms: cannot read "QueryDomainList=fast"; expected a number from 0 to 100000, or Action=number, comma-separated');
    expect(() => parseActionNumbers('0', 'qps', 1, 1e5)).toThrow(/--qps: cannot read "0"/);
    expect(() => parseActionNumbers('5,6', 'qps', 1, 1e5)).toThrow(/more than one number for every action/);
    expect(() => parseActionNumbers('A=1,A=2', 'qps', 1, 1e5)).toThrow(/A given twice/);
    expect(() => parseActionNumbers('5,', 'qps', 1, 1e5)).toThrow(/empty part/);
  });

  it('a sliding one-second window: the wait is until the oldest request in it is a second old', () => {
    const window = new SlidingWindow();
    expect(window.waitMs(0, 2)).toBe(0);
    window.add(0);
    window.add(100);
    expect(window.waitMs(500, 2)).toBe(500);
    expect(window.waitMs(999, 2)).toBe(1);
    expect(window.waitMs(1_000, 2)).toBe(0);
    window.add(1_000);
    expect(window.waitMs(1_050, 2)).toBe(50);
  });
});

describe('latency per action', () => {
  it('delays the named action only; the others keep the default', async () => {
    const emulator = await start({ domains: 50, latencyByAction: { QueryTaskList: 300 } });
    const slow = await timed(() => sendSigned(emulator, 'QueryTaskList', { PageNum: 1, PageSize: 5 }));
    const fast = await timed(() => sendSigned(emulator, 'QueryDomainList', { PageNum: 1, PageSize: 5 }));
    expect(slow.value.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(295);
    expect(fast.ms).toBeLessThan(295);
  });

  it('a default for every request, and an action named with 0 goes without', async () => {
    const emulator = await start({ domains: 50, latencyMs: 300, latencyByAction: { QueryDomainList: 0 } });
    const slow = await timed(() => sendSigned(emulator, 'QueryTaskList', { PageNum: 1, PageSize: 5 }));
    const fast = await timed(() => sendSigned(emulator, 'QueryDomainList', { PageNum: 1, PageSize: 5 }));
    expect(slow.ms).toBeGreaterThanOrEqual(295);
    expect(fast.ms).toBeLessThan(295);
  });
});

describe('QPS per action and for the account', () => {
  it('an action over its own limit gets Throttling.Api with x-acs-retry-after; other actions pass', async () => {
    const emulator = await start({ domains: 50, qpsByAction: { QueryTaskList: 2 } });
    const tasks = await Promise.all(Array.from({ length: 5 }, () => sendSigned(emulator, 'QueryTaskList', { PageNum: 1, PageSize: 5 })));
    const refused = tasks.filter((a) => a.body.Code === 'Throttling.Api');
    expect(refused).toHaveLength(3);
    expect(tasks.filter((a) => a.status === 200)).toHaveLength(2);
    for (const a of refused) {
      expect(a.body.Message).toBe('Request was denied due to api flow control.');
      const wait = Number(a.headers.get('x-acs-retry-after'));
      expect(wait).toBeGreaterThan(0);
      expect(wait).toBeLessThanOrEqual(1_000);
    }
    const domains = await Promise.all(Array.from({ length: 5 }, () => sendSigned(emulator, 'QueryDomainList', { PageNum: 1, PageSize: 5 })));
    expect(domains.every((a) => a.status === 200)).toBe(true);
  });

  it('both limits at once: a refused request counts in neither window', async () => {
    const emulator = await start({ domains: 50, qps: 4, qpsByAction: { QueryTaskList: 2 } });
    const codes = [];
    for (const action of ['QueryTaskList', 'QueryTaskList', 'QueryTaskList', 'QueryDomainList', 'QueryDomainList', 'QueryDomainList']) {
      codes.push((await sendSigned(emulator, action, { PageNum: 1, PageSize: 5 })).body.Code ?? 'OK');
    }
    expect(codes).toEqual(['OK', 'OK', 'Throttling.Api', 'OK', 'OK', 'Throttling.User']);
  });
});

describe('tasks that take ten minutes', () => {
  it('stay open for exactly their duration, then succeed and take the domain off the redemption list', async () => {
    let offset = 0;
    const base = Date.now();
    const emulator = await start({ domains: 200, seed: 4, now: () => base + offset, taskTiming: { waitingMs: 120_000, executingMs: 480_000 } });
    const target = emulator.domain.domains.find((d) => d.domainStatus === 2)!;
    const saved = await sendSigned(emulator, 'SaveSingleTaskForCreatingOrderRedeem', { DomainName: target.domainName, CurrentExpirationDate: target.expirationDateLong });
    expect(saved.status).toBe(200);
    const look = async () => {
      const detail = await sendSigned(emulator, 'QueryTaskDetailList', { TaskNo: saved.body.TaskNo, PageNum: 1, PageSize: 10 });
      const list = await sendSigned(emulator, 'QueryTaskList', { PageNum: 1, PageSize: 10 });
      const info = list.body.Data.TaskInfo.find((t: { TaskNo: string }) => t.TaskNo === saved.body.TaskNo);
      return [detail.body.Data.TaskDetail[0].TaskStatusCode, info.TaskStatusCode];
    };
    // The signatures stay valid: the emulator's clock moves by 10 minutes, inside the 15 allowed.
    const seen = [];
    for (const at of [0, 119_999, 120_000, 599_999, 600_000]) {
      offset = at;
      seen.push(await look());
    }
    expect(seen).toEqual([[0, 1], [0, 1], [1, 2], [1, 2], [2, 3]]);
    expect(target.domainStatus).toBe(3);
  });
});

describe('a seeded ledger: a week of finished orders', () => {
  const portfolio = { domains: 2_000, seed: 3, redemptionShare: 0.2 };

  it('is visible through QueryTaskList (100 a page, all finished, spread over the days) and QueryTaskDetailList', async () => {
    const before = generatePortfolio({ count: portfolio.domains, seed: portfolio.seed, redemptionShare: portfolio.redemptionShare, now: Date.now() });
    const inRedemption = before.filter((d) => d.domainStatus === 2);
    const named = [inRedemption.at(-1)!.domainName, inRedemption.at(-2)!.domainName];
    const emulator = await start({ ...portfolio, ledger: { tasks: 150, days: 7, domains: named } });
    const now = Date.now();

    const pages = [];
    for (let pageNum = 1; pageNum <= 3; pageNum++) {
      const { body } = await sendSigned(emulator, 'QueryTaskList', { PageNum: pageNum, PageSize: 100, BeginCreateTime: now - 7 * DAY_MS, EndCreateTime: now });
      pages.push(body);
      if (!body.NextPage) break;
    }
    expect(pages.map((p) => [p.TotalItemNum, p.TotalPageNum, p.Data.TaskInfo.length])).toEqual([
      [150, 2, 100],
      [150, 2, 50],
    ]);
    const infos = pages.flatMap((p) => p.Data.TaskInfo);
    expect(new Set(infos.map((t) => `${t.TaskType}/${t.TaskStatus}/${t.TaskStatusCode}`))).toEqual(new Set(['ORDER_REDEEM/COMPLETE/3']));

    // Evenly over 7 days: task i at now - (i + 0.5) * 7/150 days, so 21 of them in the last 24 h.
    const created = emulator.domain.tasks.map((t) => t.createdAt);
    expect(created.filter((t) => t > now - DAY_MS)).toHaveLength(21);
    expect(Math.min(...created)).toBeGreaterThan(now - 7 * DAY_MS);

    // The newest task is the first named domain's, succeeded, and that domain left the redemption list.
    const newest = await sendSigned(emulator, 'QueryTaskDetailList', { TaskNo: infos[0].TaskNo, PageNum: 1, PageSize: 10 });
    expect(newest.body.Data.TaskDetail).toEqual([expect.objectContaining({ DomainName: named[0], TaskStatus: 'EXECUTE_SUCCESS', TaskStatusCode: 2, TaskType: 'ORDER_REDEEM' })]);
    const list = await sendSigned(emulator, 'QueryDomainList', { PageNum: 1, PageSize: 1, QueryType: 2 });
    expect(list.body.TotalItemNum).toBe(inRedemption.length - 150);
    const names = new Set(emulator.domain.domains.filter((d) => d.domainStatus === 2).map((d) => d.domainName));
    for (const name of named) expect(names.has(name)).toBe(false);
  });

  it('beyond the domains in redemption, the tasks go to active domains, which keep their dates', async () => {
    const emulator = await start({ domains: 100, seed: 9, redemptionShare: 0.1 });
    const inRedemption = emulator.domain.domains.filter((d) => d.domainStatus === 2).length;
    const activeBefore = emulator.domain.domains.filter((d) => d.domainStatus === 3).map((d) => [d.domainName, d.expirationDateLong]);
    emulator.domain.seedLedger({ tasks: inRedemption + 5, days: 2 });
    expect(emulator.domain.domains.filter((d) => d.domainStatus === 2)).toHaveLength(0);
    const activeAfter = new Map(emulator.domain.domains.map((d) => [d.domainName, d.expirationDateLong]));
    for (const [name, expiration] of activeBefore) expect(activeAfter.get(name as string)).toBe(expiration);
    expect(() => emulator.domain.seedLedger({ tasks: 1, domains: ['nope.example'] })).toThrow('ledger: no such domain nope.example');
    expect(() => emulator.domain.seedLedger({ tasks: 1_000 })).toThrow(/only \d+ domains can hold a task, 1000 asked for/);
  });
});

describe('the command line', () => {
  it('takes the knobs, seeds the ledger and says so; a spec it cannot read exits 2 naming the option', async () => {
    const bad = spawnSync(process.execPath, ['--import', 'tsx', 'test/emulator/cli.ts', '--latency-ms', 'QueryDomainList=fast'], { cwd: ROOT, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--latency-ms: cannot read "QueryDomainList=fast"');

    const child = spawn(process.execPath, ['--import', 'tsx', 'test/emulator/cli.ts', '--domains', '300', '--redemption-share', '0.3', '--latency-ms', 'QueryTaskList=200', '--qps', '50,QueryTaskList=1', '--ledger-tasks', '12', '--ledger-days', '3'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const banner = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolve(out);
        });
        child.on('error', reject);
      });
      expect(banner).toMatch(/^emulator listening on http:\/\/127\.0\.0\.1:\d+ \(300 domains, \d+ in redemption, 12 tasks\)/);
      const target = { url: /(http:\/\/127\.0\.0\.1:\d+)/.exec(banner)![1]! };
      const first = await timed(() => sendSigned(target, 'QueryTaskList', { PageNum: 1, PageSize: 100 }));
      expect(first.ms).toBeGreaterThanOrEqual(195);
      expect(first.value.body.TotalItemNum).toBe(12);
      expect((await sendSigned(target, 'QueryTaskList', { PageNum: 1, PageSize: 100 })).body.Code).toBe('Throttling.Api');
    } finally {
      child.kill('SIGTERM');
    }
  });
});
