/**
 * npm run emulator -- --port <n> [--domains <count>] [--seed <n>] [--latency-ms <n>] [--qps <n>] [--faults <spec>]
 *   [--redemption-share <0..1>] [--access-key-id <id>] [--access-key-secret <secret>]
 *   [--task-waiting-ms <n>] [--task-executing-ms <n>] [--balance <amount>] [--currency <CNY|USD|JPY>]
 *   [--deny <Action,Action>]
 */
import { parseArgs } from 'node:util';
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
      balance: { type: 'string' },
      currency: { type: 'string' },
      deny: { type: 'string' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}

const accessKeyId = values['access-key-id'] ?? 'emulator-ak';
const accessKeySecret = values['access-key-secret'] ?? 'emulator-secret';
let emulator: Emulator;
try {
  emulator = new Emulator({
    port: numberOption('port', values.port, 0, 65535),
    domains: numberOption('domains', values.domains, 0, 1_000_000),
    seed: numberOption('seed', values.seed, 0, 2 ** 32 - 1),
    latencyMs: numberOption('latency-ms', values['latency-ms'], 0, 60_000),
    qps: numberOption('qps', values.qps, 1, 100_000),
    redemptionShare: numberOption('redemption-share', values['redemption-share'], 0, 1),
    faults: values.faults,
    accessKeys: { [accessKeyId]: accessKeySecret },
    balance: numberOption('balance', values.balance, -1e9, 1e9),
    currency: values.currency === undefined || /^[A-Z]{3}$/.test(values.currency) ? values.currency : fail(`--currency must be a code such as CNY, got "${values.currency}"`),
    deny: values.deny?.split(',').map((a) => a.trim()).filter(Boolean),
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
