/**
 * What `npm run emulator` accepts and prints: its options with their help, the --faults grammar, and the
 * environment that points the redeemer at a running emulator (the demo of `npm start` uses the same).
 */
import type { ParseArgsConfig } from 'node:util';
import { FAULT_KINDS, type FaultKind } from './faults.js';

/**
 * The actions the emulator answers by their x-acs-action name, where --deny, --qps and --faults apply (the
 * Domain API's, BSS's, STS's and Resource Manager's). --latency-ms also applies to InvokeFunction (FC's
 * route), --faults also to PutLogs (sls-down). A name outside these would be taken and never match.
 */
export const EMULATED_ACTIONS = ['QueryDomainList', 'QueryTaskList', 'QueryTaskDetailList', 'SaveSingleTaskForCreatingOrderRedeem', 'QueryAccountBalance', 'AssumeRole', 'ListAccounts'] as const;

/** The first name of `names` the emulator does not answer (with `extra`), or undefined. */
export function unknownAction(names: readonly string[], extra: readonly string[] = []): string | undefined {
  return names.find((name) => !(EMULATED_ACTIONS as readonly string[]).includes(name) && !extra.includes(name));
}

export const EMULATOR_OPTIONS = {
  port: { type: 'string', default: '0' },
  domains: { type: 'string' },
  seed: { type: 'string' },
  'redemption-share': { type: 'string' },
  'latency-ms': { type: 'string' },
  qps: { type: 'string' },
  faults: { type: 'string' },
  'access-key-id': { type: 'string' },
  'access-key-secret': { type: 'string' },
  'task-waiting-ms': { type: 'string' },
  'task-executing-ms': { type: 'string' },
  'ledger-tasks': { type: 'string' },
  'ledger-days': { type: 'string' },
  'ledger-domains': { type: 'string' },
  balance: { type: 'string' },
  currency: { type: 'string' },
  deny: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Every option's help; the type makes an option without help a compile error. */
const OPTION_HELP: Readonly<Record<keyof typeof EMULATOR_OPTIONS, readonly [argument: string, help: string]>> = {
  port: ['<n>', 'port on 127.0.0.1 (default 0: any free port, printed on start)'],
  domains: ['<count>', 'domains in the generated portfolio, 0 to 1000000 (default 200)'],
  seed: ['<n>', 'seed of the portfolio and of probabilistic faults (default 1): the same seed, the same portfolio'],
  'redemption-share': ['<0..1>', 'share of the portfolio in the redemption period (default 0.25)'],
  'latency-ms': ['<n | Action=n,…>', "delay before every answer in ms, for all actions or per action, e.g. '150,SaveSingleTaskForCreatingOrderRedeem=300' (default 0)"],
  qps: ['<n | Action=n,…>', 'requests per second beyond which it answers Throttling.User (all actions) or Throttling.Api (per action) (default: no limit)'],
  faults: ['<spec>', 'faults to inject, see below (more can be added later: POST the spec to /__emulator/faults)'],
  'access-key-id': ['<id>', 'the one access key it accepts (default emulator-ak)'],
  'access-key-secret': ['<secret>', 'its secret (default emulator-secret)'],
  'task-waiting-ms': ['<n>', 'how long a new redeem task stays waiting, in ms (default 1000)'],
  'task-executing-ms': ['<n>', 'then how long it executes before it succeeds, in ms (default 2000)'],
  'ledger-tasks': ['<n>', 'seed a week of finished redeem orders (a "second day" ledger): this many tasks, each of its own domain (341 need --domains 2000 or so)'],
  'ledger-days': ['<n>', 'spread the seeded tasks over this many days (default 7)'],
  'ledger-domains': ['<a.com,b.com | @file>', 'the domains the seeded tasks name first (the newest tasks)'],
  balance: ['<amount>', 'BSS QueryAccountBalance: the available amount (default 10000)'],
  currency: ['<code>', 'BSS QueryAccountBalance: the currency, e.g. CNY or USD (default CNY)'],
  deny: ['<Action,Action>', 'answer these actions 403 Forbidden as RAM would, e.g. QueryTaskList,QueryAccountBalance'],
  help: ['', 'this text'],
};

/** What each fault kind does; the type makes a kind without help a compile error. */
const FAULT_HELP: Readonly<Record<FaultKind, string>> = {
  throttle: '400 Throttling with x-acs-retry-after (+retryAfterMs, default 200), before processing',
  '5xx': '503 ServiceUnavailable, before processing',
  '5xx-after': 'the request takes effect, then 500 InternalError',
  'network-io': '400 NetworkIOError, before processing',
  busy: '400 TaskIsBeingProcessed, before processing',
  reset: 'the connection is dropped before processing',
  'reset-after': 'the request takes effect, then the connection is dropped',
  malformed: '200 with a body that is not JSON',
  'task-fail': 'the next redeem task ends in EXECUTE_FAILURE (REGISTRY_REJECTED)',
  'sls-down': 'SLS PutLogs answers 503 ServerBusy',
};

export function emulatorUsage(): string {
  // Two spaces at least between an option and its help, however long its argument.
  const options = Object.entries(OPTION_HELP).map(([name, [argument, help]]) => `  ${`--${name} ${argument}  `.padEnd(31)}${help}`);
  const kinds = FAULT_KINDS.map((kind) => `    ${kind.padEnd(14)}${FAULT_HELP[kind]}`);
  return [
    'usage: npm run emulator -- [options]',
    '',
    'A local Domain API (ACS3-signed RPC), SLS (PutLogs, GetLogs), BSS, STS, Resource Manager, FC and the chat',
    'robots (/__robots/<name>) on one port, with a generated portfolio.',
    '',
    ...options,
    '',
    '--faults: comma-separated rules, each  kind[@Action][*count][%probability][+retryAfterMs]',
    '  kind            one of the kinds below',
    '  @Action         only requests for this action (QueryDomainList, QueryTaskList, QueryTaskDetailList,',
    '                  SaveSingleTaskForCreatingOrderRedeem; PutLogs for SLS); default: any action',
    '  *count          hit this many requests (default 1, or no limit when %probability is given)',
    '  %probability    hit each request with this probability, from 0 to 1',
    '  +retryAfterMs   for throttle: the x-acs-retry-after it sends, in ms',
    '  kinds:',
    ...kinds,
    "  e.g. --faults 'throttle@QueryDomainList*3+500,5xx-after@SaveSingleTaskForCreatingOrderRedeem,busy%0.1'",
    '',
    'GET /__emulator/state shows the domains, tasks, calls and SLS records it holds.',
  ].join('\n');
}

/** The environment a redeemer (CLI, `npm run dev`, the handler) needs to talk to the emulator at `url`. */
export function clientEnvironment(url: string, accessKey: { readonly accessKeyId: string; readonly accessKeySecret: string }): Record<string, string> {
  return {
    DOMAIN_ENDPOINT: url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: accessKey.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: accessKey.accessKeySecret,
    SLS_ENDPOINT: url,
    SLS_PROJECT: 'redeemer-demo',
    SLS_LOGSTORE: 'results',
  };
}

/** A value as a POSIX shell word: bare when it is safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}

export function exportLines(env: Readonly<Record<string, string>>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${shellWord(value)}`)
    .join('\n');
}
