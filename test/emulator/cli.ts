/**
 * npm run emulator -- --port <n> [--domains <count>] [--seed <n>] [--latency-ms <spec>] [--qps <spec>] [--faults <spec>]
 *   [--redemption-share <0..1>] [--access-key-id <id>] [--access-key-secret <secret>]
 *   [--task-waiting-ms <n>] [--task-executing-ms <n>]
 *   [--ledger-tasks <n> [--ledger-days <n>] [--ledger-domains <a.com,b.com | @file>]]
 * --latency-ms and --qps take a number for every action, or per action, or both:
 *   --latency-ms 150   --latency-ms 'QueryDomainList=150,SaveSingleTaskForCreatingOrderRedeem=300'   --qps '50,QueryTaskList=5'
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseActionNumbers } from './knobs.js';
import { Emulator } from './server.js';

function fail(message: string): never {
  process.stderr.write(`emulator: ${message}\n`);
  process.exit(2);
}

function numberOption(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string', default: '0' },
      domains: { type: 'string' },
      seed: { type: 'string' },
      'latency-ms': { type: 'string' },
      qps: { type: 'string' },
      faults: { type: 'string' },
      'redemption-share': { type: 'string' },
      'access-key-id': { type: 'string' },
      'access-key-secret': { type: 'string' },
      'task-waiting-ms': { type: 'string' },
      'task-executing-ms': { type: 'string' },
      'ledger-tasks': { type: 'string' },
      'ledger-days': { type: 'string' },
      'ledger-domains': { type: 'string' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
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
const ledgerTasks = numberOption('ledger-tasks', values['ledger-tasks'], 0, 1_000_000);
if (ledgerTasks === undefined && (values['ledger-days'] !== undefined || values['ledger-domains'] !== undefined)) fail('--ledger-days and --ledger-domains need --ledger-tasks');
const accessKeyId = values['access-key-id'] ?? 'emulator-ak';
const accessKeySecret = values['access-key-secret'] ?? 'emulator-secret';
let emulator: Emulator;
try {
  emulator = new Emulator({
    port: numberOption('port', values.port, 0, 65535),
    domains: numberOption('domains', values.domains, 0, 1_000_000),
    seed: numberOption('seed', values.seed, 0, 2 ** 32 - 1),
    latencyMs: latency.all,
    latencyByAction: latency.byAction,
    qps: qps.all,
    qpsByAction: qps.byAction,
    ledger: ledgerTasks === undefined ? undefined : { tasks: ledgerTasks, days: numberOption('ledger-days', values['ledger-days'], 0.001, 365), domains: domainList(values['ledger-domains']) },
    redemptionShare: numberOption('redemption-share', values['redemption-share'], 0, 1),
    faults: values.faults,
    accessKeys: { [accessKeyId]: accessKeySecret },
    taskTiming: {
      waitingMs: numberOption('task-waiting-ms', values['task-waiting-ms'], 0, 86_400_000),
      executingMs: numberOption('task-executing-ms', values['task-executing-ms'], 0, 86_400_000),
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const url = await emulator.start();
const state = emulator.state('none');
process.stdout.write(`emulator listening on ${url} (${emulator.domain.domains.length} domains, ${emulator.domain.domains.filter((d) => d.domainStatus === 2).length} in redemption, ${state.tasks.length} tasks)\n`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => void emulator.close().then(() => process.exit(0)));
}
