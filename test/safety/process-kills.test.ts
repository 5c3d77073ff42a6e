/**
 * Separate processes on one account, and SIGKILL at chosen points, against a registrar that lists a task
 * only some time after it took the order (the docs promise nothing about when; test/support/registrar-standin.ts,
 * `listAfterMs`) and keeps the redeemed domain in its redemption list (its states lag by up to 24 h). The
 * process-wide registry of orders does not reach another process: what the next CLI run knows of the
 * previous one is the registrar's ledger and what the CLI keeps beside its host lock.
 *
 * The kill points are set by what the child asks the registrar, not by timers: the stand-in kills the child
 * the moment a chosen request arrives (the order taken but not answered; the first follow-up after the
 * answer), so each kill lands at the same line every time.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { domainItem, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { completeRecords, removeCliTemp, spawnCli, type Env, type JsonRecord } from './harness.js';
import { dueExpiration, standinEnv, standinPerTest } from './standin-runs.js';

afterAll(removeCliTemp);

const start = standinPerTest();
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const due = (name: string) => domainItem(name, dueExpiration(name));
/** Two minutes: far longer than a run, as long as the docs allow (they say nothing). */
const LATE = 120_000;

function cliEnvFor(url: string, extra: Env = {}): Env {
  return {
    ...standinEnv({ url } as never, { REDEEM_FOLLOW_SECONDS: '2', ...extra }),
    ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
  };
}

async function cliRun(url: string, extra: Env = {}, onChild?: (child: ChildProcessWithoutNullStreams) => void) {
  const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], cliEnvFor(url, extra));
  onChild?.(child);
  const done = await finished(child);
  return { ...done, records: completeRecords(done.stdout) };
}

const decisionOf = (records: readonly JsonRecord[], domain: string) => records.find((r) => r.kind === 'decision' && r.domain === domain);

/** A stand-in script that SIGKILLs the current child when `when` says so, and drops that request. */
function killer(when: (call: StandinCall, answeredSaves: number) => 'kill-before-answer' | 'kill' | undefined) {
  const state = { child: undefined as ChildProcessWithoutNullStreams | undefined, armed: true, saves: 0 };
  const script = (call: StandinCall, standin: { takeOrder: (d: string, e: string) => unknown }): Scripted | undefined => {
    if (!state.armed || !state.child) return undefined;
    const verdict = when(call, state.saves);
    if (verdict === 'kill-before-answer') {
      standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
    }
    if (verdict) {
      state.armed = false;
      state.child.kill('SIGKILL');
      return 'drop';
    }
    if (call.action === SAVE) state.saves++;
    return undefined;
  };
  return { state, script };
}

describe('CLI runs one after another on one machine, the registrar listing late', () => {
  it('the second run does not order again what the first ordered a moment ago', async () => {
    const s = await start({ domains: [due('one.com')], listAfterMs: LATE, newTaskStatus: 0 });
    const first = await cliRun(s.url);
    expect(decisionOf(first.records, 'one.com'), first.stderr).toMatchObject({ outcome: 'submitted' });
    const second = await cliRun(s.url);
    expect(Object.fromEntries(s.ordersPerDomain()), 'orders the registrar took (each a redemption fee)').toEqual({ 'one.com': 1 });
    expect(decisionOf(second.records, 'one.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: decisionOf(first.records, 'one.com')!.task_no });
  }, 30_000);

  it('REDEEM_MAX_PER_DAY holds over the two runs', async () => {
    const s = await start({ domains: [due('a.com'), due('b.com'), due('c.com')], listAfterMs: LATE, newTaskStatus: 0 });
    await cliRun(s.url, { REDEEM_MAX_PER_DAY: '2', REDEEM_DOMAINS: 'a.com,b.com' });
    const second = await cliRun(s.url, { REDEEM_MAX_PER_DAY: '2' });
    expect(s.orders.map((o) => o.domainName).sort(), 'orders over the two runs, REDEEM_MAX_PER_DAY=2').toEqual(['a.com', 'b.com']);
    expect(decisionOf(second.records, 'c.com')).toMatchObject({ outcome: 'skipped', reason: 'cap-per-day' });
  }, 30_000);
});

describe('SIGKILL at a chosen point, then the next run at once, the registrar listing late', () => {
  it('killed during the follow-up (the answer with its task number was read): the next run does not order the domain again', async () => {
    const k = killer((call, saves) => (saves > 0 && call.action !== SAVE ? 'kill' : undefined));
    const s = await start({ domains: [due('followed.com'), due('second.com')], listAfterMs: LATE, newTaskStatus: 0, script: k.script });
    const killed = await cliRun(s.url, { REDEEM_SUBMIT_CONCURRENCY: '1' }, (child) => (k.state.child = child));
    expect(killed.code, 'the first run was killed').toBeNull();
    const ordered = s.orders.map((o) => o.domainName);
    expect(ordered.length, 'the kill came after at least one order').toBeGreaterThan(0);
    const next = await cliRun(s.url);
    for (const [domain, n] of s.ordersPerDomain()) expect(n, `orders for ${domain}`).toBe(1);
    for (const domain of ordered) expect(decisionOf(next.records, domain)).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
  }, 30_000);
});

describe('a fresh instance (no temp folder of the earlier run), with the results logstore', () => {
  /** Each run in a temp folder of its own, as a new FC instance (or another machine) has; SLS on the emulator. */
  async function freshRun(url: string, slsUrl: string, extra: Env = {}, onChild?: (child: ChildProcessWithoutNullStreams) => void) {
    const dir = mkdtempSync(join(tmpdir(), 'redeemer-fresh-'));
    try {
      return await cliRun(url, { TMPDIR: dir, SLS_ENDPOINT: slsUrl, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', ...extra }, onChild);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('the next run, on a fresh instance, reads the earlier order from the logstore and does not order it again', async () => {
    const sls = await startEmulator({ domains: 0 });
    try {
      const s = await start({ domains: [due('fresh.com')], listAfterMs: LATE, newTaskStatus: 0 });
      const first = await freshRun(s.url, sls.url);
      expect(decisionOf(first.records, 'fresh.com'), first.stderr).toMatchObject({ outcome: 'submitted' });
      const second = await freshRun(s.url, sls.url);
      expect(Object.fromEntries(s.ordersPerDomain()), 'orders the registrar took (each a redemption fee)').toEqual({ 'fresh.com': 1 });
      expect(decisionOf(second.records, 'fresh.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: decisionOf(first.records, 'fresh.com')!.task_no });
    } finally {
      await sls.close();
    }
  }, 30_000);

  it('killed during the follow-up (its decision line delivered to SLS), the next run on a fresh instance: one order, and the cap counts it', async () => {
    const sls = await startEmulator({ domains: 0 });
    try {
      // The first follow-up request after SLS holds the order's decision record (with its task number).
      const delivered = () => sls.sls.logs.some((log) => log.contents.kind === 'decision' && log.contents.task_no !== undefined);
      const k = killer((call, saves) => (saves > 0 && call.action !== SAVE && delivered() ? 'kill' : undefined));
      const s = await start({ domains: [due('a.com'), due('b.com')], listAfterMs: LATE, newTaskStatus: 0, script: k.script });
      // Followed long enough for the periodic SLS delivery to carry the decision line before the kill.
      const killed = await freshRun(s.url, sls.url, { REDEEM_SUBMIT_CONCURRENCY: '1', REDEEM_DOMAINS: 'a.com', REDEEM_FOLLOW_SECONDS: '8' }, (child) => (k.state.child = child));
      expect(killed.code).toBeNull();
      expect(s.orders.map((o) => o.domainName)).toEqual(['a.com']);
      const next = await freshRun(s.url, sls.url, { REDEEM_MAX_PER_DAY: '1' });
      expect(s.orders.map((o) => o.domainName), 'REDEEM_MAX_PER_DAY=1 over the two runs').toEqual(['a.com']);
      expect(decisionOf(next.records, 'a.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
      expect(decisionOf(next.records, 'b.com')).toMatchObject({ outcome: 'skipped', reason: 'cap-per-day' });
    } finally {
      await sls.close();
    }
  }, 30_000);

  it('killed during the follow-up, then two runs on fresh instances: the first names the killed run\'s order in its message, the second does not again', async () => {
    const sls = await startEmulator({ domains: 0 });
    const { webhookInbox } = await import('../support/webhook-inbox.js');
    const inbox = await webhookInbox();
    try {
      const delivered = () => sls.sls.logs.some((log) => log.contents.kind === 'decision' && log.contents.task_no !== undefined);
      const k = killer((call, saves) => (saves > 0 && call.action !== SAVE && delivered() ? 'kill' : undefined));
      const s = await start({ domains: [domainItem('far.com', dueExpiration('far.com') + 2 * 86_400_000)], listAfterMs: LATE, newTaskStatus: 0, script: k.script });
      const hook = { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
      // Followed long enough for the periodic SLS delivery to carry the decision line before the kill.
      const killed = await freshRun(s.url, sls.url, { ...hook, REDEEM_FOLLOW_SECONDS: '8' }, (child) => (k.state.child = child));
      expect(killed.code).toBeNull();
      await freshRun(s.url, sls.url, hook);
      await freshRun(s.url, sls.url, hook);
      const told = inbox.bodies.map((b) => (b.earlier_orders ?? []) as unknown[]);
      expect(told, 'earlier_orders of each message sent').toEqual([[{ domain: 'far.com', task_no: s.orders[0]!.taskNo, run_id: killed.records.find((r) => r.kind === 'run')!.run_id }]]);
      expect(s.orders).toHaveLength(1);
    } finally {
      await inbox.close();
      await sls.close();
    }
  }, 30_000);
});

describe('SIGKILL after the order was taken, before its answer (the outcome unknown to everyone but the registrar)', () => {
  it('the registrar lists the task by the time the next run looks: the next run does not order it again, and says the task is in progress', async () => {
    const k = killer((call) => (call.action === SAVE ? 'kill-before-answer' : undefined));
    const s = await start({ domains: [due('unanswered.com')], listAfterMs: 500, newTaskStatus: 0, script: k.script });
    const killed = await cliRun(s.url, {}, (child) => (k.state.child = child));
    expect(killed.code).toBeNull();
    // The killed run's trace: its submission line, and no decision with a task number.
    expect(killed.records.filter((r) => r.kind === 'submission').map((r) => r.domain)).toEqual(['unanswered.com']);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const next = await cliRun(s.url);
    expect(s.orders.map((o) => o.domainName)).toEqual(['unanswered.com']);
    expect(decisionOf(next.records, 'unanswered.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight', task_no: s.orders[0]!.taskNo });
  }, 30_000);
});

describe('SIGKILL while the run writes to SLS, and while it sends its message', () => {
  /** A loopback server that hands each request to `on` before answering 200 (SLS PutLogs, a robot). */
  async function tap(on: (path: string, body: string) => void) {
    const { createServer } = await import('node:http');
    const bodies: string[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        bodies.push(body);
        on(req.url ?? '', body);
        if (!res.destroyed) res.writeHead(200, { 'content-type': 'application/json', 'x-log-requestid': 'TAP' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as import('node:net').AddressInfo;
    return { url: `http://127.0.0.1:${port}`, bodies, close: () => (server.closeAllConnections(), new Promise<void>((resolve) => server.close(() => resolve()))) };
  }

  for (const point of ['sls', 'notification'] as const) {
    it(`killed ${point === 'sls' ? 'during a PutLogs after the order was answered' : 'when its message reached the robot'}: the next run does not order the domain again, and its message names it`, async () => {
      const s = await start({ domains: [due('told.com')], listAfterMs: LATE, newTaskStatus: 0 });
      let child: ChildProcessWithoutNullStreams | undefined;
      const sls = await tap((_path, body) => {
        // PutLogs bodies are protobuf: the order's decision line carries its task number.
        if (point === 'sls' && s.orders.length > 0 && body.includes(s.orders[0]!.taskNo)) child?.kill('SIGKILL');
      });
      const robot = await tap(() => {
        if (point === 'notification') child?.kill('SIGKILL');
      });
      try {
        const env = { SLS_ENDPOINT: sls.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', NOTIFY_WEBHOOK_URL: `${robot.url}/hook`, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) };
        const killed = await cliRun(s.url, env, (c) => (child = c));
        expect(killed.code, 'the first run was killed').toBeNull();
        expect(s.orders).toHaveLength(1);
        child = undefined;
        const before = robot.bodies.length;
        const next = await cliRun(s.url, env);
        expect(Object.fromEntries(s.ordersPerDomain())).toEqual({ 'told.com': 1 });
        expect(decisionOf(next.records, 'told.com')).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
        const message = robot.bodies.slice(before).join('\n');
        expect(message, 'the next run\'s message').toContain('told.com');
      } finally {
        await sls.close();
        await robot.close();
      }
    }, 30_000);
  }
});

describe('a person hears of a killed run\'s order from the next run', () => {
  const hook = (url: string) => ({ NOTIFY_WEBHOOK_URL: url, NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32) });
  const earlier = (body: Record<string, unknown> | undefined) => (body?.earlier_orders ?? []) as Array<Record<string, unknown>>;

  for (const variant of ['in flight, 5 days left (not at risk)', 'succeeded and listed (already redeemed)'] as const) {
    it(`killed during the follow-up, its order ${variant}: the next run's message names it once, the run after it does not`, async () => {
      const { webhookInbox } = await import('../support/webhook-inbox.js');
      const inbox = await webhookInbox();
      try {
        const inFlight = variant.startsWith('in flight');
        const k = killer((call, saves) => (saves > 0 && call.action !== SAVE ? 'kill' : undefined));
        const s = await start({ domains: [domainItem('quiet.com', dueExpiration('quiet.com') + (inFlight ? 2 * 86_400_000 : 0))], listAfterMs: inFlight ? LATE : 0, newTaskStatus: inFlight ? 0 : 2, script: k.script });
        const killed = await cliRun(s.url, hook(inbox.url), (c) => (k.state.child = c));
        expect(killed.code).toBeNull();
        expect(inbox.bodies, 'the killed run sent nothing').toHaveLength(0);
        const next = await cliRun(s.url, hook(inbox.url));
        expect(decisionOf(next.records, 'quiet.com')).toMatchObject({ outcome: 'skipped', reason: inFlight ? 'task-in-flight' : 'already-redeemed' });
        expect(inbox.bodies, 'the next run\'s message').toHaveLength(1);
        expect(earlier(inbox.bodies[0])).toEqual([{ domain: 'quiet.com', task_no: s.orders[0]!.taskNo, run_id: killed.records.find((r) => r.kind === 'run')!.run_id }]);
        await cliRun(s.url, hook(inbox.url));
        expect(inbox.bodies.slice(1).flatMap(earlier), 'told once').toEqual([]);
        expect(s.orders).toHaveLength(1);
      } finally {
        await inbox.close();
      }
    }, 30_000);
  }
});

describe('the built FC handler on a fresh instance after another instance ordered (the registrar listing late)', () => {
  it('the second instance reads the order from the logstore: one order, task-in-flight, and the day cap counts it', async () => {
    const { loadBundledHandler, fcContext, timerEvent, captureStdio } = await import('../support/fc.js');
    const { vi } = await import('vitest');
    const sls = await startEmulator({ domains: 0, accessKeys: { 'STS.fc-role-key': 'fc-role-secret-value' } });
    const saved = { ...process.env };
    try {
      const s = await start({ domains: [due('fc-a.com'), due('fc-b.com')], listAfterMs: LATE, newTaskStatus: 0 });
      Object.assign(process.env, { ...standinEnv(s, { REDEEM_FOLLOW_SECONDS: '1', REDEEM_MAX_PER_DAY: '1' }), SLS_ENDPOINT: sls.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results' });
      captureStdio();
      const first = await loadBundledHandler({ fresh: true })(timerEvent(''), fcContext({ requestId: 'req-instance-1', timeout: 30 }));
      const second = await loadBundledHandler({ fresh: true })(timerEvent(''), fcContext({ requestId: 'req-instance-2', timeout: 30 }));
      vi.restoreAllMocks();
      expect(s.orders.map((o) => o.domainName), 'orders over two instances, REDEEM_MAX_PER_DAY=1').toHaveLength(1);
      const ordered = s.orders[0]!.domainName;
      expect(first.decisions.find((d: JsonRecord) => d.domain === ordered)).toMatchObject({ outcome: 'submitted' });
      expect(second.decisions.find((d: JsonRecord) => d.domain === ordered)).toMatchObject({ outcome: 'skipped', reason: 'task-in-flight' });
      expect(second.decisions.find((d: JsonRecord) => d.domain !== ordered)).toMatchObject({ outcome: 'skipped', reason: 'cap-per-day' });
    } finally {
      vi.restoreAllMocks();
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
      await sls.close();
    }
  }, 30_000);
});
