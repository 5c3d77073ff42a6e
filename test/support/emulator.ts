/** Starts an emulator for a test file and gives a Domain API client pointed at it. */
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
    runtime: {
      sleep: async (ms: number) => {
        waits.push(ms);
      },
      now: () => Date.now(),
      random: () => 0.5,
    },
  };
}

export function clientFor(emulator: Emulator, options: Partial<DomainApiOptions> = {}): DomainApiClient {
  return new DomainApiClient({ endpoint: emulator.url, credentials: EMULATOR_CREDENTIALS, ...options });
}
