/**
 * npm run bench [-- --quick] [--big] [--case name,name] [--runs n] [--api-qps n] [--out file] [--save] [--list]
 *
 * Measures the function against the reference (the same run on the official-SDK stack) for bundle size
 * and cold start, then the scale cases of bench/cases.ts on our bundle, each with its minimum calls and
 * its bound (bench/metrics.ts). Prints Markdown tables; writes the figures to bench/out/results.json
 * (git-ignored), and also to bench/results.json with --save, to commit on purpose. Not part of npm test.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Emulator } from '../test/emulator/server.js';
import { CASES, selectCases } from './cases.js';
import { OURS_BUNDLE, REFERENCE_BUNDLE, buildReference, bundleSizes, coldStart, nodeBaseline, percentile, runCase, signingThroughput, type CaseResult, type ColdStart } from './lib.js';

/** Bad usage: one line naming what is wrong, exit 2, before the reference build and the measuring. */
function usage(line: string): never {
  process.stderr.write(`bench: ${line}\n`);
  process.exit(2);
}

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        big: { type: 'boolean', default: false },
        case: { type: 'string', multiple: true },
        runs: { type: 'string' },
        'api-qps': { type: 'string' },
        out: { type: 'string' },
        save: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    return usage(`${(error as Error).message} (the flags: --quick --big --case --runs --api-qps --out --save --list)`);
  }
})();
const { values } = parsed;
const log = (line: string) => process.stderr.write(`${line}\n`);
if (values.list) {
  for (const c of CASES) process.stdout.write(`${c.name.padEnd(22)} ${c.groups.join(',').padEnd(14)} ${c.title}\n`);
  process.exit(0);
}
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 3 : 20));
// NaN or 0 ran no cold start at all and printed NaN medians, after the build.
if (!Number.isInteger(runs) || runs < 1 || runs > 1_000) usage(`--runs must be a whole number from 1 to 1000, got ${values.runs}`);
const apiQps = values['api-qps'] === undefined ? undefined : Number(values['api-qps']);
if (apiQps !== undefined && !(apiQps > 0)) usage(`--api-qps must be a positive number, got ${values['api-qps']}`);
const cases = (() => {
  try {
    return selectCases({ quick, big: values.big, names: values.case?.flatMap((v) => v.split(',')).filter(Boolean) });
  } catch (error) {
    return usage((error as Error).message);
  }
})();
const outFile = values.out ?? fileURLToPath(new URL('./out/results.json', import.meta.url));

log('building the reference bundle ...');
await buildReference();
const bundle = bundleSizes();

log(`cold start: ${runs} fresh processes each, portfolio 200, dry-run ...`);
const emulator = new Emulator({ domains: 200, seed: 1 });
await emulator.start();
const ours: ColdStart[] = [];
const reference: ColdStart[] = [];
const bare: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    // Alternate, so that whatever else the machine does falls on both alike.
    ours.push(await coldStart(OURS_BUNDLE, emulator.url));
    reference.push(await coldStart(REFERENCE_BUNDLE, emulator.url));
    bare.push(await nodeBaseline());
  }
} finally {
  await emulator.close();
}
const round = (n: number) => Math.round(n * 10) / 10;
const median = (xs: readonly number[]) => round(percentile(xs, 50));
const p90 = (xs: readonly number[]) => round(percentile(xs, 90));
const coldStartResult = {
  runs,
  in_process: {
    ours_ms_median: median(ours.map((x) => x.totalMs)),
    ours_ms_p90: p90(ours.map((x) => x.totalMs)),
    reference_ms_median: median(reference.map((x) => x.totalMs)),
    reference_ms_p90: p90(reference.map((x) => x.totalMs)),
    ours_load_ms_median: median(ours.map((x) => x.loadMs)),
    reference_load_ms_median: median(reference.map((x) => x.loadMs)),
  },
  spawn_to_exit: {
    ours_ms_median: median(ours.map((x) => x.spawnToExitMs)),
    ours_ms_p90: p90(ours.map((x) => x.spawnToExitMs)),
    reference_ms_median: median(reference.map((x) => x.spawnToExitMs)),
    reference_ms_p90: p90(reference.map((x) => x.spawnToExitMs)),
    node_alone_ms_median: median(bare),
  },
};

const results: CaseResult[] = [];
for (const c of cases) {
  log(`case ${c.name}: ${c.title} ...`);
  const started = performance.now();
  results.push(await runCase(c, { apiQps }));
  log(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

log('signing ...');
const signing = signingThroughput(quick ? 600 : 3_000);

const output = {
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
  apiQps: apiQps ?? null,
  bundle,
  coldStart: coldStartResult,
  cases: results,
  signing,
};
const json = `${JSON.stringify(output, null, 2)}\n`;
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, json);
if (values.save) writeFileSync(new URL('./results.json', import.meta.url), json);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const n = (x: number) => x.toLocaleString('en-US');
const s = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const x = (r: number | undefined) => (r === undefined ? '–' : `${r.toFixed(2)}×`);
const cs = coldStartResult;
const table = [
  `Machine: ${output.machine.cpus} cores (${output.machine.cpuModel}), Node ${output.machine.node}.${apiQps ? ` Run QPS (REDEEM_API_QPS): ${apiQps}.` : ''}`,
  '',
  '| measure | ours | reference (official SDKs, classic zod) |',
  '|---|---|---|',
  `| bundle, minified | ${kb(bundle.ours_bytes)} | ${kb(bundle.reference_bytes)} |`,
  `| bundle, gzip | ${kb(bundle.ours_gzip_bytes)} | ${kb(bundle.reference_gzip_bytes)} |`,
  `| cold start in the process (load + one timer event, 200 domains, dry-run), median of ${runs} | ${cs.in_process.ours_ms_median} ms | ${cs.in_process.reference_ms_median} ms |`,
  `| of which loading the bundle, median | ${cs.in_process.ours_load_ms_median} ms | ${cs.in_process.reference_load_ms_median} ms |`,
  `| cold start, spawn to exit of a fresh process (what FC bills), median | ${cs.spawn_to_exit.ours_ms_median} ms | ${cs.spawn_to_exit.reference_ms_median} ms |`,
  `| cold start, spawn to exit, p90 | ${cs.spawn_to_exit.ours_ms_p90} ms | ${cs.spawn_to_exit.reference_ms_p90} ms |`,
  `| Node alone (\`node -e ""\`), spawn to exit, median | ${cs.spawn_to_exit.node_alone_ms_median} ms | |`,
  `| signing, requests per second | ${n(signing.ours_ops)} | ${n(signing.reference_ops)} |`,
  '',
  '| case | in redemption | orders | confirmed | calls | minimum | calls ÷ min | wall | bound | wall ÷ bound | peak RSS |',
  '|---|---|---|---|---|---|---|---|---|---|---|',
  ...results.map((r) =>
    [
      '',
      r.error ? `${r.name} (**${r.error}**)` : r.name,
      n(r.inRedemption),
      n(r.orders),
      `${n(r.confirmed)}${r.unconfirmed ? ` (${n(r.unconfirmed)} unknown)` : ''}${r.failedOnThrottling ? ` (${r.failedOnThrottling} failed on throttling)` : ''}${r.leftForNextRun ? ` (${n(r.leftForNextRun)} left)` : ''}`,
      `${n(r.calls)}${r.throttled ? ` (${n(r.throttled)} throttled)` : ''}`,
      n(r.minimum.total),
      x(r.callsOverMinimum),
      s(r.wallMs),
      `${s(r.bound.totalMs)}${r.bound.qpsMs >= r.bound.chainMs + r.bound.taskMs ? ' (QPS)' : ''}`,
      x(r.wallOverBound),
      `${r.peakRssMb} MB`,
      '',
    ].join(' | ').trim(),
  ),
  '',
  ...results.map((r) => `- ${r.name}: ${r.title}. Calls ${Object.entries(r.callsByAction).map(([a, k]) => `${a} ${n(k)}`).join(', ')}; minimum ${r.minimum.listPages} list + ${r.minimum.ledgerPages} ledger + ${r.minimum.decisiveDetails} decisive details + ${r.minimum.submissions} submissions + ${r.minimum.outcomeDetails} outcome details; bound: chain ${r.bound.chain.length} calls = ${s(r.bound.chainMs)}, task ${s(r.bound.taskMs)}, accepted calls ÷ QPS ${s(r.bound.qpsMs)}.`),
  '',
  `Written to ${outFile}${values.save ? ' and bench/results.json' : ''}.`,
];
process.stdout.write(`${table.join('\n')}\n`);
