/**
 * npm run bench: measures the function against the reference (the same run on the official-SDK stack)
 * and prints a Markdown table; writes bench/results.json. Not part of npm test.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { Emulator } from '../test/emulator/server.js';
import { OURS_BUNDLE, REFERENCE_BUNDLE, buildReference, bundleSizes, coldStart, percentile, scaleRow, signingThroughput, type ColdStart, type ScaleRow } from './lib.js';

const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, runs: { type: 'string' } } });
const quick = values.quick;
const runs = Number(values.runs ?? (quick ? 3 : 20));
const log = (line: string) => process.stderr.write(`${line}\n`);

log('building the reference bundle ...');
await buildReference();
const bundle = bundleSizes();

log(`cold start: ${runs} fresh processes each, portfolio 200, dry-run ...`);
const emulator = new Emulator({ domains: 200, seed: 1 });
await emulator.start();
const ours: ColdStart[] = [];
const reference: ColdStart[] = [];
try {
  for (let i = 0; i < runs; i++) {
    // Alternate, so that whatever else the machine does falls on both alike.
    ours.push(await coldStart(OURS_BUNDLE, emulator.url));
    reference.push(await coldStart(REFERENCE_BUNDLE, emulator.url));
  }
} finally {
  await emulator.close();
}
const totals = (xs: ColdStart[]) => xs.map((x) => x.totalMs);
const round = (n: number) => Math.round(n * 10) / 10;
const coldStartResult = {
  ours_ms_median: round(percentile(totals(ours), 50)),
  ours_ms_p90: round(percentile(totals(ours), 90)),
  reference_ms_median: round(percentile(totals(reference), 50)),
  reference_ms_p90: round(percentile(totals(reference), 90)),
  ours_load_ms_median: round(percentile(ours.map((x) => x.loadMs), 50)),
  reference_load_ms_median: round(percentile(reference.map((x) => x.loadMs), 50)),
  runs,
};

const sizes = quick ? [1_000] : [1_000, 10_000, 100_000];
const scale: ScaleRow[] = [];
for (const domains of sizes) {
  log(`scale: ${domains} domains, 20 ms latency per call, live, caps lifted ...`);
  scale.push(await scaleRow({ domains, latencyMs: 20 }));
}
log('scale: 10000 domains with a QPS limit of 50 ...');
const qpsRow = await scaleRow({ domains: quick ? 1_000 : 10_000, latencyMs: 0, qps: 50 });

log('signing ...');
const signing = signingThroughput(quick ? 600 : 3_000);

const results = {
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
  bundle,
  coldStart: coldStartResult,
  scale: scale.map(({ domains, inRedemption, calls, minimumCalls, wallMs, peakRssMb }) => ({ domains, inRedemption, calls, minimumCalls, wallMs, peakRssMb })),
  qpsLimit: { domains: qpsRow.domains, qps: 50, calls: qpsRow.calls, wallMs: qpsRow.wallMs, callsOverQpsMs: Math.round((qpsRow.calls / 50) * 1000) },
  signing,
};
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
const table = [
  `Machine: ${results.machine.cpus} cores (${results.machine.cpuModel}), Node ${results.machine.node}.`,
  '',
  '| measure | ours | reference (official SDKs, classic zod) |',
  '|---|---|---|',
  `| bundle, minified | ${kb(bundle.ours_bytes)} | ${kb(bundle.reference_bytes)} |`,
  `| bundle, gzip | ${kb(bundle.ours_gzip_bytes)} | ${kb(bundle.reference_gzip_bytes)} |`,
  `| cold start (load + one timer event, 200 domains, dry-run), median | ${coldStartResult.ours_ms_median} ms | ${coldStartResult.reference_ms_median} ms |`,
  `| cold start, p90 | ${coldStartResult.ours_ms_p90} ms | ${coldStartResult.reference_ms_p90} ms |`,
  `| of which loading the bundle, median | ${coldStartResult.ours_load_ms_median} ms | ${coldStartResult.reference_load_ms_median} ms |`,
  `| signing, requests per second | ${signing.ours_ops.toLocaleString('en-US')} | ${signing.reference_ops.toLocaleString('en-US')} |`,
  '',
  '| domains | in redemption | API calls | minimum calls | wall time | peak RSS |',
  '|---|---|---|---|---|---|',
  ...scale.map((r) => `| ${r.domains.toLocaleString('en-US')} | ${r.inRedemption.toLocaleString('en-US')} | ${r.calls.toLocaleString('en-US')} | ${r.minimumCalls.toLocaleString('en-US')} | ${(r.wallMs / 1000).toFixed(1)} s | ${r.peakRssMb} MB |`),
  '',
  `With the emulator limited to 50 QPS (${qpsRow.domains.toLocaleString('en-US')} domains, no latency): ${qpsRow.calls} calls in ${(qpsRow.wallMs / 1000).toFixed(1)} s; calls ÷ QPS = ${(qpsRow.calls / 50).toFixed(1)} s.`,
];
process.stdout.write(`${table.join('\n')}\n`);
