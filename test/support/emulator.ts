/** Starts an emulator for a test file and gives a Domain API client pointed at it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../shared/clock/index.js';
import { DomainApiClient, type DomainApiOptions } from '../../shared/domain-api/client.js';
import { forgetRegistrar } from '../../shared/run/ledger.js';
import { signAcs3 } from '../../shared/signing/acs3.js';
import { formatQuery } from '../../shared/signing/percent-encode.js';
import { DEFAULT_ACCESS_KEY, Emulator, type EmulatorOptions } from '../emulator/server.js';

export const EMULATOR_CREDENTIALS = {
  accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId,
  accessKeySecret: DEFAULT_ACCESS_KEY.accessKeySecret,
  securityToken: 'emulator-sts-token',
};

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(options);
  await emulator.start();
  // A new registrar, whatever an earlier emulator on this port took (see forgetRegistrar).
  forgetRegistrar(emulator.url);
  return emulator;
}

/** Records the waits the client asked for instead of sleeping them, so tests stay fast and exact. */
export function recordingRuntime() {
  const waits: number[] = [];
  return {
    waits,
    clock: {
      sleep: async (ms: number) => {
        waits.push(ms);
      },
      now: () => Date.now(),
      random: () => 0.5,
    },
  };
}

export function clientFor(emulator: Emulator, options: Partial<DomainApiOptions> = {}): DomainApiClient {
  return new DomainApiClient({ endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS, clock: systemClock, deadlineMs: Date.now() + 60_000, ...options });
}

/** A client for any endpoint (a canned server, a closed port), on the system clock with a minute to run. */
export function clientAt(endpoint: string | undefined, options: Partial<DomainApiOptions> = {}): DomainApiClient {
  return new DomainApiClient({ endpoint, credentials: EMULATOR_CREDENTIALS, clock: systemClock, deadlineMs: Date.now() + 60_000, ...options });
}

/** A QueryTaskList query of the whole ledger. */
export const ALL_TASKS = { pageNum: 1, pageSize: 100, beginCreateTime: 0, endCreateTime: 4_102_444_800_000 } as const;

/** One signed Domain API request, sent as it is (no client, no retry), for tests of the emulator itself. */
export async function sendSigned(
  emulator: { readonly url: string },
  action: string,
  params: Record<string, string | number>,
  options: { now?: Date; nonce?: string; secret?: string } = {},
) {
  const signed = signAcs3(
    {
      method: 'POST',
      url: `${emulator.url}/?${formatQuery(Object.entries(params).map(([k, v]) => [k, String(v)]))}`,
      headers: [
        ['x-acs-action', action],
        ['x-acs-version', '2017-12-18'],
      ],
    },
    { ...EMULATOR_CREDENTIALS, accessKeySecret: options.secret ?? EMULATOR_CREDENTIALS.accessKeySecret },
    { ...(options.now ? { now: () => options.now! } : {}), ...(options.nonce ? { nonce: () => options.nonce! } : {}) },
  );
  const response = await fetch(signed.url, { method: 'POST', headers: signed.headers.filter(([n]) => n !== 'host') });
  return { status: response.status, body: (await response.json()) as Record<string, any>, headers: response.headers };
}

/**
 * The `redeemer` CLI in this process against an emulator, with its key in the environment and the rate
 * limit lifted (a test's emulator answers at once); answers the exit code and what it wrote.
 */
/** The in-process CLI's temp folder (its host lock and orders file), one per test process, not the machine's /tmp. */
let cliTemp: string | undefined;

export async function runCli(emulator: { readonly url: string }, args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../../shared/cli/main.js');
  let out = '';
  let err = '';
  if (cliTemp === undefined) {
    const dir = (cliTemp = mkdtempSync(join(tmpdir(), 'redeemer-cli-')));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  const code = await main(args, {
    env: {
      TMPDIR: cliTemp,
      REDEEM_API_QPS: '1000',
      DOMAIN_ENDPOINT: emulator.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret,
      ...env,
    },
    out: (t) => (out += t),
    err: (t) => (err += t),
  });
  return { code, out, err };
}
