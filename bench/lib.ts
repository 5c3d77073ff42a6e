/**
 * The benchmark's measurements, each a function the harness test can run on a tiny portfolio:
 * bundle sizes, cold starts in fresh processes, scale runs in fresh processes against an emulator in
 * another process (so that peak RSS is the redeemer's alone), and signing throughput.
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

function runNode(args: string[], options: { captureStderr?: boolean } = {}): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', options.captureStderr ? 'pipe' : 'inherit'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

export interface ColdStart {
  readonly loadMs: number;
  readonly handleMs: number;
  readonly totalMs: number;
  /** Decisions the run recorded: proof that the timer event was really handled. */
  readonly decisions: number;
}

export async function coldStart(bundle: string, emulatorUrl: string): Promise<ColdStart> {
  const { code, stderr } = await runNode([join(ROOT, 'bench/children/cold-start.cjs'), bundle, emulatorUrl], { captureStderr: true });
  const last = stderr.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`cold start of ${bundle} failed (exit ${code}): ${stderr.slice(-500)}`);
  const result = JSON.parse(last) as ColdStart & { outcome: string };
  if (result.outcome !== 'completed') throw new Error(`cold start run of ${bundle} did not complete`);
  return result;
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

export interface ScaleRow {
  readonly domains: number;
  readonly inRedemption: number;
  readonly calls: number;
  readonly minimumCalls: number;
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly submissions: number;
  readonly qps?: number | undefined;
}

/**
 * One live run with caps lifted against a fresh emulator. The minimum is what the work needs: the pages
 * of the redemption list, one ledger page, one submission and one follow-up per order.
 */
export async function scaleRow(options: { domains: number; latencyMs: number; redemptionShare?: number; qps?: number; seed?: number }): Promise<ScaleRow> {
  const args = ['--domains', String(options.domains), '--latency-ms', String(options.latencyMs), '--redemption-share', String(options.redemptionShare ?? 0.05), '--seed', String(options.seed ?? 1), '--task-waiting-ms', '100', '--task-executing-ms', '200'];
  if (options.qps) args.push('--qps', String(options.qps));
  const emulator = await startEmulatorProcess(args);
  const dir = mkdtempSync(join(tmpdir(), 'redeemer-bench-'));
  try {
    const resultFile = join(dir, 'result.json');
    const { code } = await runNode([join(ROOT, 'bench/children/scale.cjs'), OURS_BUNDLE, emulator.url, resultFile]);
    if (code !== 0) throw new Error(`scale run for ${options.domains} domains failed (exit ${code})`);
    const result = JSON.parse(readFileSync(resultFile, 'utf8'));
    const run = result.run;
    if (run.outcome !== 'completed') throw new Error(`scale run for ${options.domains} domains: ${run.outcome} ${run.error_code ?? ''}`);
    const pageSize = 100;
    const submissions = run.count_succeeded + run.count_submitted + run.count_failed + run.count_in_progress;
    // The pages of both lists (redemption, and renewal for the notification), one ledger page, and per
    // order: a fresh look at the day's ledger (one QueryTaskList page), the submission, one follow-up.
    const listPages = (n: number) => Math.max(1, Math.ceil(n / pageSize));
    const minimumCalls = listPages(run.candidates) + (run.watched === undefined ? 0 : listPages(run.watched)) + 1 + 3 * submissions;
    return {
      domains: options.domains,
      inRedemption: run.candidates,
      calls: run.calls,
      minimumCalls,
      wallMs: Math.round(result.wallMs),
      peakRssMb: Math.round(result.peakRssMb * 10) / 10,
      submissions,
      qps: options.qps,
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
