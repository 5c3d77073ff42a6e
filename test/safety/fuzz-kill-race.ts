/**
 * A small deterministic fuzz of kills and races (H31): a live run, either the CLI or the built custom runtime
 * (FC's instance, invoked by its timer or a signed webhook), in a child process against a registrar stand-in,
 * an SLS stand-in and (sometimes) a BSS stand-in, all in this process, SIGKILLed at a point a seed chooses (on
 * the Nth request any stand-in receives, before or after it answers, or after N ms); then more runs (a CLI;
 * two or three CLIs at once, the second sometimes killed too; or the custom runtime in this process beside a
 * CLI), the registrar sometimes listing the killed run's order late (domain-api.md: a task is asynchronous,
 * states lag up to 24 h); then a last CLI run on its own.
 *
 * Every scenario comes from a seed (mulberry32), so a failing one is replayed by its number. The invariants
 * are checked on what the stand-ins saw (orders taken, the lock file at each order) and on what reached SLS
 * and the robots, never on the product's own account of itself. What the README accepts is allowed, and
 * said where it is: an order whose outcome its run never learnt is decided again by the next run, and two
 * runs on different hosts at once (the function beside a CLI) may both order a domain.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { balanceBody, startBss, type BssStandin } from '../support/bss-standin.js';
import { FC_CREDENTIALS, fcInvokeHeaders, signedHeaders, startRuntime, timerEvent, WEBHOOK_SECRET } from '../support/fc.js';
import { domainItem, startStandin, type RegistrarStandin, type Scripted, type StandinCall } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsScripted, type SlsStandin } from '../support/sls-standin.js';
import { finished } from '../support/spawn.js';
import { webhookInbox, type WebhookInbox } from '../support/webhook-inbox.js';
import { spawn } from 'node:child_process';
import { ROOT } from '../support/spawn.js';
import { seededRandom } from '../emulator/random.js';
import { completeRecords, spawnCli, type Env, type JsonRecord } from './harness.js';
import { dueExpiration } from './standin-runs.js';

const DAY_MS = 86_400_000;
const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
const LATE = 120_000;

export type KillPoint =
  | { readonly kind: 'request'; readonly n: number; readonly when: 'before' | 'after'; readonly taken: boolean }
  | { readonly kind: 'timer'; readonly ms: number };

export interface Scenario {
  readonly seed: number;
  readonly domains: ReadonlyArray<{ readonly name: string; readonly daysLeft: number }>;
  readonly listAfterMs: number;
  readonly newTaskStatus: number;
  readonly maxPerRun: number;
  readonly maxPerDay: number;
  /** REDEEM_PRICES {"com": 600} and this REDEEM_MAX_SPEND_PER_DAY, with a BSS stand-in. */
  readonly spendCap: number | undefined;
  readonly sls: boolean;
  /** Which process is killed first: a CLI run, or the built custom runtime in the middle of a run (FC's instance). */
  readonly killed: 'cli' | 'runtime';
  readonly kill: KillPoint;
  /** 'fc-pair': FC's timer and a signed webhook at once in one fresh custom-runtime instance (no CLI beside). */
  readonly then: 'cli' | 'two-cli' | 'fc+cli' | 'fc-pair';
  /** In 'fc+cli', how the function is invoked: FC's timer, or a signed webhook (HTTP trigger). */
  readonly trigger: 'timer' | 'webhook';
  readonly pauseMs: number;
  /** In 'two-cli', the second CLI is SIGKILLed too, on its Nth request (before it is answered). */
  readonly killSecond: number | undefined;
  /** How long after answering a request a kill 'after' it comes. */
  readonly afterMs: number;
  /** In 'two-cli', a third CLI starts with the two (three waiters on the killed run's stale lock). */
  readonly third: boolean;
  /** The registrar refuses a second order for a domain with an open task (TaskIsBeingProcessed) instead of taking it. */
  readonly refuseSecond: boolean;
  /** Every `every`th registrar call answered Throttling.User with this x-acs-retry-after (domain-api.md §6). */
  readonly throttle: { readonly every: number; readonly retryAfter: string } | undefined;
  /** After the killed run, the Nth submission is taken and its answer lost (the connection dropped after the request was read). */
  readonly loseAnswer: number | undefined;
  /** The killed custom runtime gets SIGTERM (FC recycling it), then SIGKILL this long after (FC's grace). */
  readonly sigtermGraceMs: number | undefined;
}

export function scenarioOf(seed: number): Scenario {
  const { pair, ...drawn } = drawScenario(seed);
  return { ...drawn, then: drawn.then === 'fc+cli' && pair ? 'fc-pair' : drawn.then };
}

function drawScenario(seed: number): Scenario & { pair: boolean } {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const count = 2 + Math.floor(r() * 4);
  const domains = Array.from({ length: count }, (_, i) => ({ name: `d${i}-${seed}.com`, daysLeft: pick([0, 1, 2]) }));
  const sls = r() < 0.6;
  const kill: KillPoint = r() < 0.8 ? { kind: 'request', n: 1 + Math.floor(r() * 22), when: pick(['before', 'after'] as const), taken: r() < 0.5 } : { kind: 'timer', ms: 100 + Math.floor(r() * 2400) };
  return {
    seed,
    domains,
    listAfterMs: pick([0, 600, LATE]),
    newTaskStatus: pick([0, 0, 2, 2, 3]),
    maxPerRun: pick([1, 2, 50]),
    maxPerDay: pick([1, 2, 3, 50]),
    spendCap: r() < 0.3 ? pick([1000, 1300]) : undefined,
    sls,
    killed: sls && r() < 0.35 ? 'runtime' : 'cli',
    kill,
    then: sls ? pick(['cli', 'two-cli', 'fc+cli'] as const) : pick(['cli', 'two-cli'] as const),
    pauseMs: pick([0, 0, 700]),
    trigger: pick(['timer', 'webhook'] as const),
    killSecond: r() < 0.4 ? 1 + Math.floor(r() * 16) : undefined,
    afterMs: pick([0, 0, 5, 30]),
    third: r() < 0.3,
    refuseSecond: r() < 0.4,
    ...oddAnswers(r, pick),
  };
}

/** Drawn after every other field, so that a seed's older fields stay what they were. */
function oddAnswers(r: () => number, pick: <T>(xs: readonly T[]) => T): Pick<Scenario, 'throttle' | 'loseAnswer' | 'sigtermGraceMs'> & { pair: boolean } {
  return {
    throttle: r() < 0.3 ? { every: pick([3, 4, 7]), retryAfter: pick(['1', '250', '1200']) } : undefined,
    loseAnswer: r() < 0.3 ? 1 + Math.floor(r() * 3) : undefined,
    sigtermGraceMs: r() < 0.5 ? pick([0, 300, 3000]) : undefined,
    pair: r() < 0.5,
  };
}

interface CliResult {
  readonly pid: number;
  readonly code: number | null;
  readonly stderr: string;
  readonly records: JsonRecord[];
}

export interface Outcome {
  readonly scenario: Scenario;
  readonly killed: CliResult;
  readonly next: CliResult[];
  /** A last CLI run on its own, once the others are done. */
  readonly last: CliResult;
  readonly fc: JsonRecord[] | undefined;
  readonly orders: RegistrarStandin['orders'];
  /** How many of `orders` the registrar had taken when the killed run ended. */
  readonly killedOrders: number;
  /** The task numbers the killed run had learnt and kept somewhere (its orders file, stdout, SLS) when it died. */
  readonly killedKnew: { readonly local: ReadonlySet<string>; readonly sls: ReadonlySet<string> };
  readonly tasks: RegistrarStandin['tasks'];
  readonly slsRecords: Array<Record<string, string>>;
  readonly messages: Array<Record<string, unknown>>;
  /** The last run's message, if it sent one. */
  readonly lastMessages: Array<Record<string, unknown>>;
  /** At each order the registrar took from a CLI: the pid the host lock named then (undefined: no lock file). */
  readonly lockAtOrder: Array<{ readonly domain: string; readonly lockPid: number | undefined; readonly killedPhase: boolean }>;
  readonly lockLeft: string[];
  /** Orders the registrar took after the killed run whose answer it lost (Scenario.loseAnswer). */
  readonly lost: ReadonlyArray<{ readonly domain: string; readonly taskNo: string }>;
  /** How many of `orders` the registrar had taken when the last run started. */
  readonly beforeLastOrders: number;
}

function lockPid(dir: string): number | undefined {
  const lock = readdirSync(dir).find((f) => f.endsWith('.lock'));
  if (!lock) return undefined;
  try {
    return Number(readFileSync(join(dir, lock), 'utf8').trim().split(/\s+/)[0]);
  } catch {
    return undefined;
  }
}

/** Plays one scenario and answers what the stand-ins saw; every server and folder is gone when it resolves. */
export async function play(scenario: Scenario): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), `redeemer-fuzz-${scenario.seed}-`));
  const state = { requests: 0, armed: true, child: undefined as ChildProcessWithoutNullStreams | undefined };
  const lockAtOrder: Array<{ domain: string; lockPid: number | undefined; killedPhase: boolean }> = [];
  const fire = () => {
    if (!state.armed) return;
    state.armed = false;
    const child = state.child;
    if (scenario.killed === 'runtime' && scenario.sigtermGraceMs !== undefined && child) {
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), scenario.sigtermGraceMs);
    } else child?.kill('SIGKILL');
  };
  const lost: Array<{ domain: string; taskNo: string }> = [];
  const odd = { calls: 0, laterSaves: 0 };
  /** Counts a request of the killed run; says whether to kill before answering it, and arranges a kill after. */
  const atRequest = (): 'kill-now' | undefined => {
    if (!state.armed || !state.child || scenario.kill.kind !== 'request') return undefined;
    state.requests++;
    if (state.requests !== scenario.kill.n) return undefined;
    if (scenario.kill.when === 'before') return 'kill-now';
    setTimeout(fire, scenario.afterMs);
    return undefined;
  };
  const second = { child: undefined as ChildProcessWithoutNullStreams | undefined, requests: 0, armed: scenario.killSecond !== undefined };
  const registrarScript = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
    if (call.action === SAVE) lockAtOrder.push({ domain: call.params.DomainName ?? '', lockPid: lockPid(dir), killedPhase: state.child !== undefined });
    // The second of two racing CLIs, killed once the registrar has had killSecond requests of the pair (only
    // while that CLI holds the lock, so that the kill is its own).
    if (second.armed && second.child && lockPid(dir) === second.child.pid && ++second.requests >= scenario.killSecond!) {
      second.armed = false;
      second.child.kill('SIGKILL');
      return 'drop';
    }
    if (atRequest() !== 'kill-now') return oddAnswer(call, standin);
    if (call.action === SAVE && scenario.kill.kind === 'request' && scenario.kill.taken) standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
    fire();
    return 'drop';
  };
  const oddAnswer = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
    if (scenario.throttle && ++odd.calls % scenario.throttle.every === 0) {
      return { status: 400, body: { RequestId: 'THROTTLED', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, headers: { 'x-acs-retry-after': scenario.throttle.retryAfter } };
    }
    if (call.action === SAVE && state.child === undefined && scenario.loseAnswer !== undefined && ++odd.laterSaves === scenario.loseAnswer) {
      const task = standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
      if (task) lost.push({ domain: call.params.DomainName ?? '', taskNo: task.taskNo });
      return 'drop';
    }
    return undefined;
  };
  const slsScript = (call: { api: string }): SlsScripted | undefined => {
    if (atRequest() !== 'kill-now') return undefined;
    fire();
    return call.api === 'PutLogs' && scenario.kill.kind === 'request' && scenario.kill.taken ? 'store-then-drop' : 'hang';
  };
  const now = Date.now();
  const registrar = await startStandin({
    domains: scenario.domains.map((d) => domainItem(d.name, dueExpiration(d.name, now) + (d.daysLeft - 3) * DAY_MS)),
    listAfterMs: scenario.listAfterMs,
    newTaskStatus: scenario.newTaskStatus,
    secondOrder: scenario.refuseSecond ? 'refuse' : 'accept',
    script: registrarScript,
  });
  const sls: SlsStandin | undefined = scenario.sls ? await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), script: slsScript as never }) : undefined;
  const bss: BssStandin | undefined = scenario.spendCap ? await startBss(FC_CREDENTIALS, () => (atRequest() === 'kill-now' ? (fire(), 'drop') : { body: balanceBody({ AvailableAmount: '10000.00' }) })) : undefined;
  const inbox: WebhookInbox = await webhookInbox();
  const env: Env = {
    REDEEM_MODE: 'live',
    REDEEM_DOMAINS: '*',
    REDEEM_API_QPS: '1000',
    REDEEM_FOLLOW_SECONDS: '1',
    REDEEM_MAX_PER_RUN: String(scenario.maxPerRun),
    REDEEM_MAX_PER_DAY: String(scenario.maxPerDay),
    DOMAIN_ENDPOINT: registrar.url,
    NOTIFY_WEBHOOK_URL: inbox.url,
    NOTIFY_WEBHOOK_SECRET: 'x'.repeat(32),
    ...(sls ? { SLS_ENDPOINT: sls.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results' } : {}),
    ...(bss ? { REDEEM_PRICES: '{"com": 600}', REDEEM_MAX_SPEND_PER_DAY: String(scenario.spendCap), BSS_ENDPOINT: bss.url } : {}),
  };
  const cli = async (onChild?: (c: ChildProcessWithoutNullStreams) => void): Promise<CliResult> => {
    const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '15', '--records'], {
      ...env,
      TMPDIR: dir,
      ALIBABA_CLOUD_ACCESS_KEY_ID: FC_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: FC_CREDENTIALS.accessKeySecret,
      ...(FC_CREDENTIALS.securityToken ? { ALIBABA_CLOUD_SECURITY_TOKEN: FC_CREDENTIALS.securityToken } : {}),
    });
    onChild?.(child);
    const done = await finished(child);
    return { pid: child.pid ?? -1, code: done.code, stderr: done.stderr, records: completeRecords(done.stdout) };
  };
  try {
    let timer: NodeJS.Timeout | undefined;
    const onKilled = (child: ChildProcessWithoutNullStreams) => {
      state.child = child;
      if (scenario.kill.kind === 'timer') timer = setTimeout(fire, scenario.kill.ms);
    };
    const killed = scenario.killed === 'cli' ? await cli(onKilled) : await runtimeKilled(scenario, env, onKilled);
    clearTimeout(timer);
    const killedOrders = registrar.orders.length;
    const ordersFile = readdirSync(dir).find((f) => f.endsWith('.orders'));
    const kept = [ordersFile ? readFileSync(join(dir, ordersFile), 'utf8') : '', JSON.stringify(sls?.records() ?? [])].join('\n');
    const inSls = JSON.stringify(sls?.records() ?? []);
    const taken = registrar.orders.slice(0, killedOrders);
    const killedKnew = { local: new Set(taken.filter((x) => kept.includes(x.taskNo)).map((x) => x.taskNo)), sls: new Set(taken.filter((x) => inSls.includes(x.taskNo)).map((x) => x.taskNo)) };
    state.armed = false;
    state.child = undefined;
    if (scenario.pauseMs) await new Promise((resolve) => setTimeout(resolve, scenario.pauseMs));
    let fc: JsonRecord[] | undefined;
    let next: CliResult[];
    if (scenario.then === 'cli') next = [await cli()];
    else if (scenario.then === 'two-cli') next = await Promise.all([cli(), cli((c) => (second.child = c)), ...(scenario.third ? [cli()] : [])]);
    else if (scenario.then === 'fc-pair') {
      // FC's timer and a signed webhook at once in one fresh instance: its process-wide orders keep them apart.
      const lines: string[] = [];
      const { server, url } = await startRuntime({ ...env, WEBHOOK_SECRET }, lines);
      try {
        await Promise.all(
          (['timer', 'webhook'] as const).map(async (trigger) => {
            const body = trigger === 'timer' ? timerEvent('').toString('utf8') : '{}';
            const headers = trigger === 'timer' ? fcInvokeHeaders(`req-pair-t-${scenario.seed}`, '/invoke', 30) : { ...fcInvokeHeaders(`req-pair-w-${scenario.seed}`, '/http-invoke', 30), 'content-type': 'application/json', ...signedHeaders('{}') };
            const res = await fetch(`${url}${trigger === 'timer' ? '/invoke' : '/webhook'}`, { method: 'POST', headers, body });
            await res.text();
          }),
        );
      } finally {
        server.close();
      }
      fc = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonRecord);
      next = [];
    } else {
      // The function on FC's custom runtime in this process (a fresh instance: no orders file, no earlier
      // run in its memory), invoked by its timer or by a signed webhook, as FC passes either on.
      const lines: string[] = [];
      const fcRun = (async () => {
        const { server, url } = await startRuntime({ ...env, WEBHOOK_SECRET }, lines);
        try {
          const body = scenario.trigger === 'timer' ? timerEvent('').toString('utf8') : '{}';
          const headers = scenario.trigger === 'timer' ? fcInvokeHeaders(`req-fuzz-${scenario.seed}`, '/invoke', 30) : { ...fcInvokeHeaders(`req-fuzz-${scenario.seed}`, '/http-invoke', 30), 'content-type': 'application/json', ...signedHeaders('{}') };
          const res = await fetch(`${url}${scenario.trigger === 'timer' ? '/invoke' : '/webhook'}`, { method: 'POST', headers, body });
          await res.text();
          return lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as JsonRecord);
        } finally {
          server.close();
        }
      })();
      const [records, cliRun] = await Promise.all([fcRun, cli()]);
      fc = records;
      next = [cliRun];
    }
    second.armed = false;
    const beforeLastOrders = registrar.orders.length;
    const beforeLast = inbox.bodies.length;
    const last = await cli();
    const lastMessages = inbox.bodies.slice(beforeLast);
    return {
      scenario,
      killed,
      next,
      last,
      fc,
      orders: [...registrar.orders],
      killedOrders,
      killedKnew,
      tasks: [...registrar.tasks],
      slsRecords: sls?.records() ?? [],
      messages: [...inbox.bodies],
      lastMessages,
      lockAtOrder,
      lockLeft: readdirSync(dir).filter((f) => f.endsWith('.lock') && existsSync(join(dir, f))),
      lost,
      beforeLastOrders,
    };
  } finally {
    second.armed = false;
    await Promise.all([registrar.close(), sls?.close(), bss?.close(), inbox.close()]);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The built custom runtime (as FC starts it) in a child process, one run invoked by its timer or a signed
 * webhook, the child SIGKILLed as the scenario says (FC ends an instance at its timeout, or it dies).
 */
async function runtimeKilled(scenario: Scenario, env: Env, onChild: (c: ChildProcessWithoutNullStreams) => void): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', './test/support/listen-loopback.mjs', 'dist/redeem-custom-runtime/server.js'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', FC_CUSTOM_LISTEN_PORT: '0', ...env, WEBHOOK_SECRET } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const port = await new Promise<string | undefined>((resolve) => {
    const look = () => {
      const found = /listening on [\d.]+:(\d+)$/m.exec(stdout);
      if (found) resolve(found[1]);
    };
    child.stdout.on('data', look);
    void exited.then(() => resolve(undefined));
  });
  if (port === undefined) return { pid: child.pid ?? -1, code: await exited, stderr, records: [] };
  onChild(child);
  const url = `http://127.0.0.1:${port}`;
  const body = scenario.trigger === 'timer' ? timerEvent('').toString('utf8') : '{}';
  const headers = scenario.trigger === 'timer' ? fcInvokeHeaders(`req-killed-${scenario.seed}`, '/invoke', 30) : { ...fcInvokeHeaders(`req-killed-${scenario.seed}`, '/http-invoke', 30), 'content-type': 'application/json', ...signedHeaders('{}') };
  await fetch(`${url}${scenario.trigger === 'timer' ? '/invoke' : '/webhook'}`, { method: 'POST', headers, body }).then((res) => res.text(), () => undefined);
  // Not killed during its run: ended here, as FC ends an idle instance.
  child.kill('SIGKILL');
  await exited;
  return { pid: child.pid ?? -1, code: null, stderr, records: completeRecords(stdout) };
}

const ORDERED = new Set(['submitted', 'in-progress', 'succeeded']);

/** Every invariant the brief names, as a list of broken ones (empty: all held). */
export function broken(o: Outcome): string[] {
  const s = o.scenario;
  const problems: string[] = [];
  const perDomain = new Map<string, number>();
  for (const order of o.orders) perDomain.set(order.domainName, (perDomain.get(order.domainName) ?? 0) + 1);
  // Two later runs on different hosts at once (the function beside a CLI) may both order a domain: README
  // Safety model, "What remains". The killed run's orders they must not repeat; two CLIs take turns.
  // An order the killed run never learnt the task of (killed while it was on the wire), or learnt and kept
  // only where a run elsewhere cannot read it (the CLI's orders file, for the function), is an outcome
  // unknown there: the next run decides again from the ledger (README Safety model,
  // test/safety/kill-unanswered.test.ts). Two later runs on different hosts at once (the function beside a
  // CLI) may both order a domain (README, "What remains"). Two CLIs take turns, so they count as one.
  const killed = o.orders.slice(0, o.killedOrders);
  const later = o.orders.slice(o.killedOrders);
  for (const d of s.domains) {
    const first = killed.find((x) => x.domainName === d.name);
    const again = later.filter((x) => x.domainName === d.name).length;
    // A failed order redeemed nothing: the domain may be ordered again, once per failure.
    const failedBefore = o.orders.filter((x) => x.domainName === d.name && o.tasks.find((t) => t.taskNo === x.taskNo)?.statusCode === 3).length;
    const secondKilled = s.then === 'two-cli' && o.next.some((n) => n.code === null) ? 1 : 0;
    // An order whose answer was lost is an outcome unknown to its run: the next run decides again (README).
    const lostHere = o.lost.filter((x) => x.domain === d.name).length;
    const cli = (first ? (o.killedKnew.local.has(first.taskNo) ? 0 : 1) : 1) + failedBefore + secondKilled + lostHere;
    const fc = s.then !== 'fc+cli' && s.then !== 'fc-pair' ? 0 : first ? (o.killedKnew.sls.has(first.taskNo) ? 0 : 1) : 1;
    if (again > cli + fc) problems.push(`${again} later orders for ${d.name} (${first ? `the killed run ordered it, ${o.killedKnew.local.has(first.taskNo) ? 'knew' : 'never knew'} its task${o.killedKnew.sls.has(first.taskNo) ? ', in SLS' : ''}` : 'the killed run did not order it'})`);
  }
  // A killed runtime's order whose submission line never reached SLS (killed while that PutLogs was on the
  // wire; the order is not held back for it) is known to no later run until the registrar lists it: README
  // Safety model 5 and "What remains" (an order counts from its kind: submission line in the logstore).
  const killedRun = o.killed.records.find((r) => r.kind === 'run')?.run_id;
  const unseen = s.killed !== 'runtime' ? 0 : killed.filter((x) => !o.killedKnew.sls.has(x.taskNo) && !o.slsRecords.some((r) => r.kind === 'submission' && r.run_id === killedRun && r.domain === x.domainName)).length;
  if (s.then !== 'fc+cli' && s.then !== 'fc-pair' && o.orders.length - unseen > s.maxPerDay) problems.push(`${o.orders.length} orders in the day (${unseen} of the killed runtime's that no journal knew), REDEEM_MAX_PER_DAY=${s.maxPerDay}`);
  // The pair in one instance: one process, so its registry holds the caps and one order per domain exactly
  // between its two runs (what they could not know of the killed CLI run is the different-hosts case).
  if (s.then === 'fc-pair') {
    const pairOrders = o.orders.slice(o.killedOrders, o.beforeLastOrders);
    if (pairOrders.length > s.maxPerDay) problems.push(`${pairOrders.length} orders by the timer and webhook runs of one instance, REDEEM_MAX_PER_DAY=${s.maxPerDay}`);
    const pairPerDomain = new Map<string, number>();
    for (const x of pairOrders) pairPerDomain.set(x.domainName, (pairPerDomain.get(x.domainName) ?? 0) + 1);
    for (const [domain, n] of pairPerDomain) {
      const excused = o.lost.filter((x) => x.domain === domain).length + pairOrders.filter((x) => x.domainName === domain && o.tasks.find((t) => t.taskNo === x.taskNo)?.statusCode === 3).length;
      if (n > 1 + excused) problems.push(`${n} orders for ${domain} by the timer and webhook runs of one instance`);
    }
  }
  // An order whose task failed took no money (README Money): it counts on the day's orders, not the spend.
  const paid = o.orders.filter((x) => o.tasks.find((t) => t.taskNo === x.taskNo)?.statusCode !== 3).length;
  if (s.then !== 'fc+cli' && s.spendCap !== undefined && paid * 600 > s.spendCap) problems.push(`${paid * 600} spent, REDEEM_MAX_SPEND_PER_DAY=${s.spendCap}`);
  const runs = [o.killed.records, ...o.next.map((n) => n.records), o.last.records, ...(o.fc ? [o.fc] : [])];
  for (const records of runs) {
    // By run id: the instance's lines hold two runs in 'fc-pair'.
    const sent = new Map<string, Set<unknown>>();
    // An order the registrar certainly refused (TaskIsBeingProcessed, no task) placed nothing: its slot goes
    // to the next domain the caps held (README Safety model, the caps), so it is not one of the run's orders.
    const refused = new Set(records.filter((x) => x.kind === 'decision' && x.error_code === 'TaskIsBeingProcessed' && !x.task_no).map((x) => `${x.run_id} ${x.domain}`));
    for (const r of records.filter((x) => x.kind === 'submission' && !refused.has(`${x.run_id} ${x.domain}`))) sent.set(String(r.run_id), (sent.get(String(r.run_id)) ?? new Set()).add(r.domain));
    for (const [runId, domains] of sent) if (domains.size > s.maxPerRun) problems.push(`run ${runId} sent ${domains.size} orders, REDEEM_MAX_PER_RUN=${s.maxPerRun}`);
  }
  const finishedRuns = [...o.next.filter((n) => n.code !== null), o.last];
  for (const n of finishedRuns) if (n.code !== 0 && n.code !== 1) problems.push(`a later CLI run exited ${n.code}: ${n.stderr.slice(-300)}`);
  for (const n of finishedRuns) if (/still holds/.test(n.stderr)) problems.push(`a later CLI run found the lock stuck: ${n.stderr.slice(-200)}`);
  if (o.lockLeft.length > 0) problems.push(`lock left behind: ${o.lockLeft.join(',')}`);
  // The host lock: each order a CLI sent went out while the lock named that CLI (the killed run's or a later one's).
  const cliPids = new Set([o.killed.pid, ...o.next.map((n) => n.pid), o.last.pid]);
  for (const at of o.lockAtOrder) if (o.fc === undefined && !(at.killedPhase && s.killed === 'runtime') && (at.lockPid === undefined || !cliPids.has(at.lockPid))) problems.push(`order for ${at.domain} sent while the lock named ${at.lockPid}`);
  if (s.then === 'two-cli') {
    for (const at of o.lockAtOrder.filter((x) => !x.killedPhase)) {
      // The one run that sent this domain (left out when several did: which order was whose is not known here).
      const senders = [o.killed, ...o.next, o.last].filter((n) => n.records.some((r) => r.kind === 'submission' && r.domain === at.domain));
      if (senders.length === 1 && at.lockPid !== senders[0]!.pid) problems.push(`order for ${at.domain} sent by pid ${senders[0]!.pid} while the lock named ${at.lockPid}`);
    }
  }
  // What reached SLS (and stdout) claims no outcome that did not happen.
  const tasks = new Map(o.tasks.map((t) => [t.taskNo, t]));
  const claims = [...o.slsRecords, ...runs.flat()] as Array<Record<string, unknown>>;
  for (const r of claims) {
    if (r.kind !== 'decision') continue;
    const taskNo = typeof r.task_no === 'string' ? r.task_no : undefined;
    // Refused with TaskIsBeingProcessed (secondOrder 'refuse'): recorded in-progress, without a task of its
    // own (README Safety model, "Losing a race is not a failure"); true while the registrar holds a task for it.
    if (r.outcome === 'in-progress' && !taskNo && r.error_code === 'TaskIsBeingProcessed') {
      if (!o.tasks.some((t) => t.domainName === r.domain && t.statusCode !== 3)) problems.push(`${r.domain} recorded in-progress (TaskIsBeingProcessed), the registrar holds no task for it`);
      continue;
    }
    if (ORDERED.has(String(r.outcome))) {
      const task = taskNo ? tasks.get(taskNo) : undefined;
      if (!task) problems.push(`${r.domain} recorded ${r.outcome} with task ${taskNo}, which the registrar never had`);
      else if (task.domainName !== r.domain) problems.push(`${r.domain} recorded ${r.outcome} with the task of ${task.domainName}`);
      else if (r.outcome === 'succeeded' && task.statusCode !== 2) problems.push(`${r.domain} recorded succeeded, its task is ${task.statusCode}`);
    }
    if (r.outcome === 'skipped' && taskNo && !tasks.has(taskNo)) problems.push(`${r.domain} skipped (${r.reason}) by task ${taskNo}, which the registrar never had`);
  }
  // A run record's counts are its decisions' (in SLS, where the run got that far).
  for (const run of o.slsRecords.filter((r) => r.kind === 'run' && r.outcome !== 'started')) {
    // Each domain's last word: its decision, or the task record of its followed order.
    const final = new Map<string, string>();
    for (const r of o.slsRecords) if (r.run_id === run.run_id && r.kind === 'decision' && r.domain) final.set(r.domain, r.outcome ?? '');
    for (const r of o.slsRecords) if (r.run_id === run.run_id && r.kind === 'task' && r.domain) final.set(r.domain, r.outcome ?? '');
    for (const outcome of ['submitted', 'in-progress', 'succeeded', 'failed', 'skipped']) {
      const said = Number(run[`count_${outcome.replace('-', '_')}`] ?? 0);
      const seen = [...final.values()].filter((x) => x === outcome).length;
      if (said !== seen) problems.push(`run ${run.run_id} says count_${outcome}=${said}, its records in SLS ${seen}`);
    }
  }
  for (const r of claims) {
    if (r.kind !== 'task' || typeof r.task_no !== 'string') continue;
    const task = tasks.get(r.task_no);
    if (!task) problems.push(`${r.domain} task record ${r.outcome} for ${r.task_no}, which the registrar never had`);
    else if ((r.outcome === 'succeeded' && task.statusCode !== 2) || (r.outcome === 'failed' && task.statusCode !== 3)) problems.push(`${r.domain} task record ${r.outcome}, its status is ${task.statusCode}`);
  }
  for (const r of claims) {
    if (r.kind !== 'decision' || typeof r.task_no !== 'string') continue;
    const task = tasks.get(r.task_no);
    if (r.reason === 'already-redeemed' && task && task.statusCode !== 2) problems.push(`${r.domain} already-redeemed by task ${r.task_no}, whose status is ${task.statusCode}`);
    if (r.outcome === 'failed' && task && task.statusCode !== 3) problems.push(`${r.domain} recorded failed with task ${r.task_no}, whose status is ${task.statusCode}`);
  }
  // What the messages say was ordered is what the registrar took, and a killed run's order is told once.
  const allRecords = runs.flat();
  const toldEarlier = new Map<string, number>();
  for (const m of o.messages) {
    for (const item of (m.ordered ?? []) as Array<Record<string, unknown>>) {
      const task = typeof item.task_no === 'string' ? tasks.get(item.task_no) : undefined;
      if (item.task_no !== undefined && (!task || task.domainName !== item.domain)) problems.push(`a message says ${item.domain} was ordered under task ${item.task_no}, which the registrar never had for it`);
      if (item.outcome === 'succeeded' && task && task.statusCode !== 2) problems.push(`a message says ${item.domain} succeeded, its task is ${task.statusCode}`);
    }
    for (const item of (m.earlier_orders ?? []) as Array<Record<string, unknown>>) {
      const task = typeof item.task_no === 'string' ? tasks.get(item.task_no) : undefined;
      if (!task || task.domainName !== item.domain) problems.push(`a message tells an earlier order of ${item.domain} under task ${item.task_no}, which the registrar never had for it`);
      // Without a run id: a task no record names (engine.ts unrecordedTasks); its task is the registrar's for that domain (above).
      if (item.run_id !== undefined && !allRecords.some((r) => r.kind === 'submission' && r.domain === item.domain && r.run_id === item.run_id)) problems.push(`a message tells an earlier order of ${item.domain} by run ${item.run_id}, which sent no order for it`);
      const key = `${item.domain} ${item.task_no}`;
      toldEarlier.set(key, (toldEarlier.get(key) ?? 0) + 1);
    }
  }
  const someoneKilledAfterMessage = s.then === 'fc+cli' || s.then === 'fc-pair' || (s.then === 'two-cli' && o.next.some((n) => n.code === null));
  if (!someoneKilledAfterMessage) for (const [key, n] of toldEarlier) if (n > 1) problems.push(`earlier order ${key} told ${n} times`);
  // A due domain is not held for ever: ordered, or a later run's message names it.
  const told = JSON.stringify(o.messages);
  // Every order the registrar took is told to a person, by its run or a later one (a failed one redeemed nothing).
  for (const x of o.orders) if (!told.includes(x.domainName)) problems.push(`the order for ${x.domainName} (task ${x.taskNo.slice(0, 8)}) is named in no message`);
  for (const d of s.domains) {
    if (perDomain.has(d.name)) continue;
    if (!told.includes(d.name)) problems.push(`${d.name} (${d.daysLeft} d left) was never ordered, and no message names it`);
    // Still due and unordered when the last run ends: that run tells it as at risk (its deadline within 3 days).
    const atRisk = o.lastMessages.flatMap((m) => (m.at_risk ?? []) as Array<Record<string, unknown>>);
    if (!atRisk.some((x) => x.domain === d.name)) problems.push(`${d.name} (${d.daysLeft} d left) is not ordered, and the last run's message does not tell it at risk (${JSON.stringify(o.lastMessages).slice(0, 300)})`);
  }
  return problems;
}

/** What each run decided, for a failure's message. */
export function trace(o: Outcome): string {
  const line = (name: string, records: readonly JsonRecord[]) =>
    `${name}: ${records.filter((r) => r.kind === 'decision' || r.kind === 'submission').map((r) => `${r.kind === 'submission' ? 'SEND ' : ''}${r.domain}${r.kind === 'decision' ? `=${r.outcome}/${r.reason}${r.task_no ? `/${String(r.task_no).slice(0, 8)}` : ''}` : ''}`).join(' ')}`;
  return [
    `orders ${o.orders.map((x, i) => `${i < o.killedOrders ? 'K:' : ''}${x.domainName}/${x.taskNo.slice(0, 8)}`).join(' ')}`,
    line(`killed(${o.killed.code})`, o.killed.records),
    ...o.next.map((n, i) => line(`next${i}(${n.code})`, n.records)),
    line(`last(${o.last.code})`, o.last.records),
    ...(o.fc ? [line('fc', o.fc)] : []),
    `last run's at_risk ${JSON.stringify(o.lastMessages.flatMap((m) => (m.at_risk ?? []) as unknown[]))}`,
    `lock at orders ${JSON.stringify(o.lockAtOrder)} pids ${o.killed.pid},${o.next.map((n) => n.pid).join(',')}`,
  ].join('\n  ');
}
