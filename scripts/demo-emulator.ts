/**
 * The embedded demo: an emulator with a small portfolio in every phase, one order already in flight from
 * an "earlier run", and the environment that points the redeemer at it (live mode: no money is involved).
 */
import { clientEnvironment } from '../test/emulator/cli-usage.js';
import { DAY_MS } from '../test/emulator/portfolio.js';
import { DEFAULT_ACCESS_KEY, Emulator, type EmulatorOptions } from '../test/emulator/server.js';

/** `extra` adds to the demo set-up, e.g. member accounts for `npm run demo:accounts`. */
export async function startDemoEmulator(extra: EmulatorOptions = {}): Promise<{ emulator: Emulator; env: Record<string, string> }> {
  const robotSecret = 'SEC-demo-dingtalk-secret';
  const emulator = new Emulator({ domains: 48, seed: 2026, redemptionShare: 0.5, taskTiming: { waitingMs: 400, executingMs: 800 }, robots: { dingtalk: robotSecret }, ...extra });
  const url = await emulator.start();
  const late = emulator.domain.domains.filter((d) => d.phase === 'late-redemption');
  if (late[0]) emulator.domain.seedTask(late[0].domainName, Date.now() - 3_600_000, { waitingMs: 600_000, executingMs: DAY_MS });
  return {
    emulator,
    env: {
      REDEEM_MODE: 'live',
      REDEEM_DOMAINS: '*',
      REDEEM_EXCLUDE: '*.shop',
      REDEEM_MAX_PER_RUN: '10',
      ...clientEnvironment(url, DEFAULT_ACCESS_KEY),
      ALIBABA_CLOUD_SECURITY_TOKEN: 'demo-sts-token',
      // The emulator plays a DingTalk custom robot with 加签, so the demo shows the message a person gets.
      NOTIFY_DINGTALK_URL: `${url}/__robots/dingtalk?access_token=demo-robot-token`,
      NOTIFY_DINGTALK_SECRET: robotSecret,
    },
  };
}

/**
 * The shell a demo runs from may be the one the README's deploy steps export the real key, endpoints,
 * logstore and robots in: kept, they sent the demo's live run to the registrar they name, its records to
 * the real logstore and its message to a real group. Those settings are the demo's own (the emulator's);
 * the shell's policy (REDEEM_*, NOTIFY_ON, WEBHOOK_SECRET) is kept. Removes the rest from `env` in place and
 * answers the names removed, for the demo to say (never their values).
 */
export function dropShellWiring(env: Record<string, string | undefined>): string[] {
  const wiring = (name: string) =>
    name !== 'NOTIFY_ON' && (/^(ALIBABA_CLOUD_|SLS_|NOTIFY_)|_ENDPOINT$/.test(name) || ['REDEEM_ACCOUNTS', 'REDEEM_EXTERNAL_ID', 'FC_ACCOUNT_ID', 'FC_REGION', 'FC_FUNCTION_NAME'].includes(name));
  const dropped = Object.keys(env).filter(wiring).sort();
  for (const name of dropped) delete env[name];
  return dropped;
}

/** The line a demo prints of what dropShellWiring removed, or '' when nothing. */
export function droppedLine(dropped: readonly string[]): string {
  return dropped.length > 0 ? `Not taken from this shell (the demo's own are used): ${dropped.join(', ')}\n` : '';
}

/**
 * The demo's settings with the shell's policy in front: a demo setting (REDEEM_MODE, REDEEM_DOMAINS, …) the
 * shell sets, after dropShellWiring, is the shell's (an empty one counts as unset, as everywhere). Assigned
 * over the shell, the demo's live mode and caps silently replaced a REDEEM_MODE=dry-run the person had
 * exported. Answers the settings to assign and the names the shell's value was kept for.
 */
export function underShellPolicy(demo: Record<string, string>, shell: Record<string, string | undefined>): { env: Record<string, string>; kept: string[] } {
  const kept = Object.keys(demo).filter((name) => (shell[name] ?? '').trim() !== '').sort();
  return { env: Object.fromEntries(Object.entries(demo).filter(([name]) => !kept.includes(name))), kept };
}

/** The line a demo prints of the shell's policy it kept over its own, or '' when none. */
export function keptLine(kept: readonly string[]): string {
  return kept.length > 0 ? `Taken from this shell (the policy): ${kept.join(', ')}\n` : '';
}
