/**
 * npm run emulator -- [--port <n>] [--domains <count>] [--seed <n>] [--faults <spec>] … (--help lists them all)
 * Prints the URL and the environment a redeemer needs to talk to it, as lines to paste into a shell.
 * Exit code 2 for bad usage or a port that cannot be had.
 */
import { parseArgs } from 'node:util';
import { listenFailureLine } from '../../shared/http/index.js';
import { clientEnvironment, EMULATOR_OPTIONS, emulatorUsage, exportLines } from './cli-usage.js';
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

const accessKey = { accessKeyId: values['access-key-id'] ?? 'emulator-ak', accessKeySecret: values['access-key-secret'] ?? 'emulator-secret' };
const port = numberOption('port', values.port, 0, 65535) ?? 0;
let emulator: Emulator;
try {
  emulator = new Emulator({
    port,
    domains: numberOption('domains', values.domains, 0, 1_000_000),
    seed: numberOption('seed', values.seed, 0, 2 ** 32 - 1),
    latencyMs: numberOption('latency-ms', values['latency-ms'], 0, 60_000),
    qps: numberOption('qps', values.qps, 1, 100_000, false),
    redemptionShare: numberOption('redemption-share', values['redemption-share'], 0, 1, false),
    faults: values.faults,
    accessKeys: { [accessKey.accessKeyId]: accessKey.accessKeySecret },
    balance: numberOption('balance', values.balance, -1e9, 1e9, false),
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
