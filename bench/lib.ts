/**
 * The benchmark's measurements, each a function the harness test can run on a tiny portfolio:
 * bundle sizes, cold starts in fresh processes (inside the process and spawn to exit), the scale cases
 * in fresh processes against an emulator in another process (so that peak RSS is the redeemer's alone),
 * and signing throughput.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { FUNCTION_BUILD_OPTIONS } from '../scripts/esbuild-options.js';
import { latencyOf, latencySpec, type BenchCase } from './cases.js';
import { boundMs, minimumCalls, ratio, type Bound, type Minimum, type QpsLimits, type Work } from './metrics.js';
import { signAcs3 } from '../shared/signing/index.js';
import { sha256Hex } from '../shared/signing/index.js';
import { OpenApiUtil } from '../test/support/openapi-util.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const OURS_BUNDLE = join(ROOT, 'dist/redeem/index.js');
export const REFERENCE_BUNDLE = join(ROOT, 'dist/bench-reference/index.js');

/** Builds the reference with the function's esbuild settings; @alicloud/log reads sls.proto beside it. */
export async function buildReference(): Promise<void> {
  await build({ ...FUNCTION_BUILD_OPTIONS, entryPoints: [join(ROOT, 'bench/reference/handler.ts')], outfile: REFERENCE_BUNDLE, format: 'cjs' });
  const require = createRequire(import.meta.url);
  copyFileSync(require.resolve('@alicloud/log/lib/sls.proto'), join(ROOT, 'dist/bench-reference/sls.proto'));
  writeFileSync(join(ROOT, 'dist/bench-reference/package.json'), '{"type":"commonjs"}\n');
}

export function bundleSizes() {
  const size = (file: string) => {
    const bytes = readFileSync(file);
    return { bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  };
  const ours = size(OURS_BUNDLE);
  const reference = size(REFERENCE_BUNDLE);
  return { ours_bytes: ours.bytes, ours_gzip_bytes: ours.gzip, reference_bytes: reference.bytes, reference_gzip_bytes: reference.gzip };
}

/** A fresh Node process; `ms` is from spawn to exit, what Function Compute bills for a cold start. */
function runNode(args: string[], options: { captureStderr?: boolean; env?: Record<string, string> } = {}): Promise<{ code: number | null; stderr: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', options.captureStderr ? 'pipe' : 'inherit'], env: { ...process.env, ...options.env } });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', () => {
      const ms = performance.now() - started;
      child.on('close', (code) => resolve({ code, stderr, ms }));
    });
  });
}

export interface ColdStart {
  /** Inside the process: loading the bundle, then handling the first event. */
  readonly loadMs: number;
  readonly handleMs: number;
  readonly totalMs: number;
  /** From spawning the process to its exit: Node's own start and exit included. */
  readonly spawnToExitMs: number;
  /** Decisions the run recorded: proof that the timer event was really handled. */
  readonly decisions: number;
}

export async function coldStart(bundle: string, emulatorUrl: string): Promise<ColdStart> {
  const { code, stderr, ms } = await runNode([join(ROOT, 'bench/children/cold-start.cjs'), bundle, emulatorUrl], { captureStderr: true });
  const last = stderr.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`cold start of ${bundle} failed (exit ${code}): ${stderr.slice(-500)}`);
  const result = JSON.parse(last) as Omit<ColdStart, 'spawnToExitMs'> & { outcome: string };
  if (result.outcome !== 'completed') throw new Error(`cold start run of ${bundle} did not complete`);
  return { ...result, spawnToExitMs: ms };
}

/** Spawn to exit of a Node process that does nothing: the floor under every spawn-to-exit figure. */
export async function nodeBaseline(): Promise<number> {
  const { code, ms } = await runNode(['-e', '']);
  if (code !== 0) throw new Error(`node -e "" exited with ${code}`);
  return ms;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** The emulator in a process of its own; resolves with its URL and a stop function. */
export function startEmulatorProcess(args: string[]): Promise<{ url: string; stop: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/emulator/cli.ts'), ...args], { stdio: ['ignore', 'pipe', 'inherit'], cwd: ROOT });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+) \((\d+) domains, (\d+) in redemption/.exec(out);
      if (match) {
        resolve({
          url: match[1]!,
          stop: () =>
            new Promise<void>((done) => {
              child.once('close', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`emulator exited (${code}) before it was ready: ${out}`)));
  });
}

/** One decision as the scale child writes it: [domain, action, reason, outcome, has task, error code]. */
export type DecisionTuple = [string, 'redeem' | 'skip', string, string, 0 | 1, string];

interface ChildResult {
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly error?: string;
  readonly run?: Record<string, any>;
  readonly callsByAction?: Record<string, number>;
  readonly decisions?: DecisionTuple[];
}

/** One run of our bundle in a fresh process against `url`; `env` adds variables (REDEEM_API_QPS…). */
async function runChild(url: string, timeoutSeconds: number, mode: 'live' | 'dry-run', env: Record<string, string> = {}): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'redeemer-bench-'));
  try {
    const resultFile = join(dir, 'result.json');
    const { code } = await runNode([join(ROOT, 'bench/children/scale.cjs'), OURS_BUNDLE, url, resultFile, String(timeoutSeconds), mode], { env });
    if (code !== 0) throw new Error(`the ${mode} run exited with ${code}`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as ChildResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function emulatorArgs(c: BenchCase): string[] {
  const args = ['--domains', String(c.domains), '--redemption-share', String(c.redemptionShare ?? 0.05), '--seed', String(c.seed ?? 1)];
  args.push('--latency-ms', latencySpec(c.latency), '--task-waiting-ms', String(c.task.waitingMs), '--task-executing-ms', String(c.task.executingMs));
  const qps = [...(c.qps ? [String(c.qps)] : []), ...Object.entries(c.qpsByAction ?? {}).map(([action, n]) => `${action}=${n}`)];
  if (qps.length > 0) args.push('--qps', qps.join(','));
  return args;
}

/** The domains a live run of this case would order: a dry run against a twin emulator (no latency). */
async function wouldOrder(c: BenchCase): Promise<string[]> {
  const twin = await startEmulatorProcess(emulatorArgs({ ...c, latency: { all: 0 }, qps: undefined, qpsByAction: undefined }));
  try {
    const result = await runChild(twin.url, c.timeoutSeconds, 'dry-run');
    if (result.error || !result.decisions) throw new Error(`the dry run to find the orders failed: ${result.error}`);
    return result.decisions.filter((d) => d[1] === 'redeem').map((d) => d[0]);
  } finally {
    await twin.stop();
  }
}

export interface CaseResult {
  readonly name: string;
  readonly title: string;
  readonly domains: number;
  readonly error?: string | undefined;
  readonly inRedemption: number;
  readonly ledgerTasks: number;
  readonly orders: number;
  /** Orders whose outcome the run learnt: succeeded, or failed at the registry. */
  readonly confirmed: number;
  readonly succeeded: number;
  /** Orders recorded as submitted with no outcome known. */
  readonly unconfirmed: number;
  /** Orders that failed without a task (the submission itself), and of those, on throttling. */
  readonly failedToSubmit: number;
  readonly failedOnThrottling: number;
  /** Orders left for the next run (time budget, halted). */
  readonly leftForNextRun: number;
  readonly calls: number;
  readonly callsByAction: Readonly<Record<string, number>>;
  /** Calls the registrar refused with a Throttling code (counted in calls; not in the QPS bound). */
  readonly throttled: number;
  readonly minimum: Minimum;
  readonly callsOverMinimum: number | undefined;
  readonly wallMs: number;
  readonly bound: Bound;
  readonly wallOverBound: number | undefined;
  readonly peakRssMb: number;
}

/** The work a run held, from the emulator's state before it and the run's own decisions. */
export function workOf(inRedemption: number, ledgerTasks: number, decisions: readonly DecisionTuple[], renewals?: number): Work {
  const orders = decisions.filter((d) => d[1] === 'redeem');
  return {
    inRedemption,
    renewals,
    ledgerTasks,
    decisiveTasks: decisions.filter((d) => d[2] === 'task-in-flight' || d[2] === 'already-redeemed').length,
    orders: orders.length,
    confirmed: orders.filter((d) => d[3] === 'succeeded' || (d[3] === 'failed' && d[4] === 1)).length,
  };
}

/**
 * One case: a fresh emulator process (for the second day, seeded with a week of orders for every
 * domain the run would order), then one live run of our bundle in a fresh process. `apiQps` is the run's
 * own rate (REDEEM_API_QPS), passed to the function and counted in the bound, when given.
 */
export async function runCase(c: BenchCase, options: { apiQps?: number | undefined } = {}): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'redeemer-bench-case-'));
  const args = emulatorArgs(c);
  if (c.secondDay) {
    const names = await wouldOrder(c);
    writeFileSync(join(dir, 'ledger-domains.txt'), `${names.join('\n')}\n`);
    args.push('--ledger-tasks', String(names.length), '--ledger-days', '7', '--ledger-domains', `@${join(dir, 'ledger-domains.txt')}`);
  }
  const emulator = await startEmulatorProcess(args);
  try {
    const state = (await (await fetch(`${emulator.url}/__emulator/state?domains=redemption`)).json()) as { domains: unknown[]; tasks: unknown[] };
    const result = await runChild(emulator.url, c.timeoutSeconds, 'live', options.apiQps ? { REDEEM_API_QPS: String(options.apiQps) } : {});
    const decisions = result.decisions ?? [];
    const watched = result.run?.watched;
    const work = workOf(state.domains.length, state.tasks.length, decisions, typeof watched === 'number' ? watched : undefined);
    const calls = Number(result.run?.calls ?? 0);
    const callsByAction = result.callsByAction ?? {};
    const seen = (await (await fetch(`${emulator.url}/__emulator/state?domains=none`)).json()) as { calls: Array<{ action: string; code: string }> };
    const refused = seen.calls.filter((call) => call.code.startsWith('Throttling'));
    const acceptedByAction = { ...callsByAction };
    for (const call of refused) acceptedByAction[call.action] = (acceptedByAction[call.action] ?? 0) - 1;
    const minimum = minimumCalls(work);
    const limits: QpsLimits[] = [{ all: c.qps, byAction: c.qpsByAction }, ...(options.apiQps ? [{ all: options.apiQps }] : [])];
    const bound = boundMs(work, { calls: calls - refused.length, callsByAction: acceptedByAction }, latencyOf(c.latency), c.task.waitingMs + c.task.executingMs, limits);
    const orders = decisions.filter((d) => d[1] === 'redeem');
    const failedToSubmit = orders.filter((d) => d[3] === 'failed' && d[4] === 0);
    return {
      name: c.name,
      title: c.title,
      domains: c.domains,
      error: result.error ?? (result.run?.outcome !== 'completed' ? `run ${result.run?.outcome}: ${result.run?.error_code ?? ''}` : undefined),
      inRedemption: work.inRedemption,
      ledgerTasks: work.ledgerTasks,
      orders: work.orders,
      confirmed: work.confirmed,
      succeeded: orders.filter((d) => d[3] === 'succeeded').length,
      unconfirmed: orders.filter((d) => d[3] === 'submitted').length,
      failedToSubmit: failedToSubmit.length,
      failedOnThrottling: failedToSubmit.filter((d) => d[5].startsWith('Throttling')).length,
      leftForNextRun: orders.filter((d) => d[3] === 'skipped').length,
      calls,
      callsByAction,
      throttled: refused.length,
      minimum,
      callsOverMinimum: ratio(calls, minimum.total),
      wallMs: Math.round(result.wallMs),
      bound: { ...bound, chainMs: Math.round(bound.chainMs), qpsMs: Math.round(bound.qpsMs), totalMs: Math.round(bound.totalMs) },
      wallOverBound: ratio(result.wallMs, bound.totalMs),
      peakRssMb: Math.round(result.peakRssMb * 10) / 10,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await emulator.stop();
  }
}

/** Requests signed per second, on the same requests, by our signer and by @alicloud/openapi-util. */
export function signingThroughput(durationMs = 1_000): { ours_ops: number; reference_ops: number } {
  const credentials = { accessKeyId: 'bench-ak', accessKeySecret: 'bench-secret', securityToken: 'bench-token' };
  const requests = Array.from({ length: 64 }, (_, i) => {
    const query = { DomainName: `domain-${i}.com`, CurrentExpirationDate: String(1_700_000_000_000 + i), Lang: 'en' };
    return { query, url: `https://domain-intl.aliyuncs.com/?${new URLSearchParams(query).toString()}`, action: i % 2 ? 'SaveSingleTaskForCreatingOrderRedeem' : 'QueryTaskDetailList' };
  });
  const date = new Date('2026-12-01T00:00:00Z');
  const ours = () => {
    const r = requests[Math.floor(Math.random() * requests.length)]!;
    signAcs3(
      { method: 'POST', url: r.url, headers: [['x-acs-action', r.action], ['x-acs-version', '2017-12-18']] },
      credentials,
      { now: () => date, nonce: () => '0123456789abcdef0123456789abcdef' },
    );
  };
  const reference = () => {
    const r = requests[Math.floor(Math.random() * requests.length)]!;
    // What the SDK hands to getAuthorization: the same headers, already assembled.
    OpenApiUtil.getAuthorization(
      {
        pathname: '/',
        method: 'POST',
        query: r.query,
        headers: {
          host: 'domain-intl.aliyuncs.com',
          'x-acs-action': r.action,
          'x-acs-version': '2017-12-18',
          'x-acs-date': '2026-12-01T00:00:00Z',
          'x-acs-signature-nonce': '0123456789abcdef0123456789abcdef',
          'x-acs-content-sha256': sha256Hex(''),
          'x-acs-security-token': credentials.securityToken,
        },
      } as never,
      'ACS3-HMAC-SHA256',
      sha256Hex(''),
      credentials.accessKeyId,
      credentials.accessKeySecret,
    );
  };
  const rate = (fn: () => void) => {
    for (let i = 0; i < 2_000; i++) fn();
    let best = 0;
    for (let round = 0; round < 3; round++) {
      let n = 0;
      const end = performance.now() + durationMs / 3;
      while (performance.now() < end) {
        for (let i = 0; i < 100; i++) fn();
        n += 100;
      }
      best = Math.max(best, n / (durationMs / 3 / 1000));
    }
    return Math.round(best);
  };
  return { ours_ops: rate(ours), reference_ops: rate(reference) };
}
