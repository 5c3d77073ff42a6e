/**
 * npm run emulator -- [--port <n>] [--domains <count>] [--seed <n>] [--faults <spec>] … (--help lists them all)
 * Prints the URL and the environment a redeemer needs to talk to it, as lines to paste into a shell.
 * Exit code 2 for bad usage or a port that cannot be had.
 * --latency-ms and --qps take a number for every action, or per action, or both:
 *   --latency-ms 150   --latency-ms 'QueryDomainList=150,SaveSingleTaskForCreatingOrderRedeem=300'   --qps '50,QueryTaskList=5'
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { listenFailureLine } from '../../shared/http/index.js';
import { clientEnvironment, EMULATED_ACTIONS, EMULATOR_OPTIONS, emulatorUsage, exportLines, unknownAction } from './cli-usage.js';
import { parseFaultSpec } from './faults.js';
import { parseActionNumbers } from './knobs.js';
import { Emulator } from './server.js';

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n`);
  process.exit(2);
}

function numberOption(name: string, value: string | undefined, min: number, max: number, whole = true): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (whole && !Number.isInteger(n))) {
    fail(`--${name} must be ${whole ? 'a whole number' : 'a number'} from ${min} to ${max}, got "${value}"`);
  }
  return n;
}

let values;
try {
  ({ values } = parseArgs({ options: EMULATOR_OPTIONS, strict: true }));
} catch (error) {
  fail(`${(error as Error).message} (npm run emulator -- --help lists the options)`);
}
if (values.help) {
  process.stdout.write(`${emulatorUsage()}\n`);
  process.exit(0);
}

function actionNumbers(name: string, value: string | undefined, min: number, max: number) {
  if (value === undefined) return { all: undefined, byAction: undefined };
  try {
    return parseActionNumbers(value, name, min, max);
  } catch (error) {
    fail((error as Error).message);
  }
}

/** Names, comma- or line-separated, given inline or as @file. */
function domainList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  let text = value;
  if (value.startsWith('@')) {
    try {
      text = readFileSync(value.slice(1), 'utf8');
    } catch (error) {
      fail(`--ledger-domains: cannot read ${value.slice(1)}: ${(error as Error).message}`);
    }
  }
  return text.split(/[\s,]+/).filter(Boolean);
}

const latency = actionNumbers('latency-ms', values['latency-ms'], 0, 600_000);
const qps = actionNumbers('qps', values.qps, 1, 100_000);
const deny = values.deny?.split(',').map((a) => a.trim()).filter(Boolean);
let faultActions: string[] = [];
try {
  faultActions = values.faults === undefined ? [] : parseFaultSpec(values.faults).flatMap((rule) => (rule.action === undefined ? [] : [rule.action]));
} catch (error) {
  fail((error as Error).message);
}
// A misspelt action is taken and never matches: `--deny QueryTaskLis` denied nothing.
for (const [option, names, extra] of [
  ['deny', deny ?? [], []],
  ['latency-ms', Object.keys(latency.byAction ?? {}), ['InvokeFunction']],
  ['qps', Object.keys(qps.byAction ?? {}), []],
  ['faults', faultActions, ['PutLogs']],
] as const) {
  const unknown = unknownAction(names, extra);
  if (unknown !== undefined) fail(`--${option}: no such action "${unknown}"; the emulator answers ${[...EMULATED_ACTIONS, ...extra].join(', ')}`);
}
const ledgerTasks = numberOption('ledger-tasks', values['ledger-tasks'], 0, 1_000_000);
if (ledgerTasks === undefined && (values['ledger-days'] !== undefined || values['ledger-domains'] !== undefined)) fail('--ledger-days and --ledger-domains need --ledger-tasks');
const accessKey = { accessKeyId: values['access-key-id'] ?? 'emulator-ak', accessKeySecret: values['access-key-secret'] ?? 'emulator-secret' };
const port = numberOption('port', values.port, 0, 65535) ?? 0;
let emulator: Emulator;
try {
  emulator = new Emulator({
    port,
    domains: numberOption('domains', values.domains, 0, 1_000_000),
    seed: numberOption('seed', values.seed, 0, 2 ** 32 - 1),
    latencyMs: latency.all,
    latencyByAction: latency.byAction,
    qps: qps.all,
    qpsByAction: qps.byAction,
    ledger: ledgerTasks === undefined ? undefined : { tasks: ledgerTasks, days: numberOption('ledger-days', values['ledger-days'], 0.001, 365, false), domains: domainList(values['ledger-domains']) },
    redemptionShare: numberOption('redemption-share', values['redemption-share'], 0, 1, false),
    faults: values.faults,
    accessKeys: { [accessKey.accessKeyId]: accessKey.accessKeySecret },
    balance: numberOption('balance', values.balance, -1e9, 1e9, false),
    currency: values.currency === undefined || /^[A-Z]{3}$/.test(values.currency) ? values.currency : fail(`--currency must be a code such as CNY, got "${values.currency}"`),
    deny,
    taskTiming: {
      waitingMs: numberOption('task-waiting-ms', values['task-waiting-ms'], 0, 86_400_000),
      executingMs: numberOption('task-executing-ms', values['task-executing-ms'], 0, 86_400_000),
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const url = await emulator.start().catch((error: unknown) => fail(listenFailureLine(error, port, 'choose another with --port <n> (0 picks a free one)') ?? String(error)));
const state = emulator.state('none');
const inRedemption = emulator.domain.domains.filter((d) => d.domainStatus === 2).length;
process.stdout.write(`emulator listening on ${url} (${emulator.domain.domains.length} domains, ${inRedemption} in redemption, ${state.tasks.length} tasks)

To point the redeemer at it, paste into a shell:
${exportLines(clientEnvironment(url, accessKey))}
then: npm run redeemer -- plan      (or live, no money involved: REDEEM_DOMAINS='*' npm run redeemer -- run --mode live)

Ctrl-C to stop.
`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void emulator.close().then(() => process.exit(0)));
}
