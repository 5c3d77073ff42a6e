/** A live CLI run against a registrar stand-in, and the registrar script that SIGKILLs it with its first order on the wire. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';
import type { RegistrarStandin, Scripted, StandinCall } from '../support/registrar-standin.js';
import { finished } from '../support/spawn.js';
import { completeRecords, spawnCli, type Env } from './harness.js';
import { standinEnv } from './standin-runs.js';

export const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';

/** `redeemer run --mode live` with the emulator's credentials from the environment, as a person runs it. */
export async function liveCliRun(url: string, extra: Env, onChild?: (child: ChildProcessWithoutNullStreams) => void) {
  const token: Env = EMULATOR_CREDENTIALS.securityToken ? { ALIBABA_CLOUD_SECURITY_TOKEN: EMULATOR_CREDENTIALS.securityToken } : {};
  const env = { ...standinEnv({ url } as never, { REDEEM_FOLLOW_SECONDS: '1', ...extra }), ALIBABA_CLOUD_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: EMULATOR_CREDENTIALS.accessKeySecret, ...token };
  const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], env);
  onChild?.(child);
  const done = await finished(child);
  return { ...done, records: completeRecords(done.stdout) };
}

/** Takes the first order as the registrar does, SIGKILLs the child before it is answered, and drops the answer. */
export function killAtFirstOrder() {
  const state = { child: undefined as ChildProcessWithoutNullStreams | undefined, armed: true };
  const script = (call: StandinCall, standin: RegistrarStandin): Scripted | undefined => {
    if (!state.armed || !state.child || call.action !== SAVE) return undefined;
    state.armed = false;
    standin.takeOrder(call.params.DomainName ?? '', call.params.CurrentExpirationDate ?? '');
    state.child.kill('SIGKILL');
    return 'drop';
  };
  return { state, script };
}
