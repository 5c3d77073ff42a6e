/** Starts an emulator for a test file and gives a Domain API client pointed at it. */
import { systemClock } from '../../shared/clock/index.js';
import { DomainApiClient, type DomainApiOptions } from '../../shared/domain-api/client.js';
import { DEFAULT_ACCESS_KEY, Emulator, type EmulatorOptions } from '../emulator/server.js';

export const EMULATOR_CREDENTIALS = {
  accessKeyId: DEFAULT_ACCESS_KEY.accessKeyId,
  accessKeySecret: DEFAULT_ACCESS_KEY.accessKeySecret,
  securityToken: 'emulator-sts-token',
};

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = new Emulator(options);
  await emulator.start();
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
