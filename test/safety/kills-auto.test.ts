/**
 * SIGKILL of a live CLI run (dist/cli/index.js; `npm run build` first) while auto has
 * raised the submissions in flight. 250 ms latency and a 10 s budget make one at a time too slow for the
 * 19 due domains, so auto lets several go at once; kills land at seeded moments during the submissions.
 * After each kill: every order the emulator holds has its `kind: submission` line on the captured stdout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../emulator/random.js';
import { startEmulator } from '../support/emulator.js';
import { finished } from '../support/spawn.js';
import { completeRecords, removeCliTemp, spawnCli, type JsonRecord } from './harness.js';
import { cliEnv } from '../safety/portfolio.js';

afterAll(removeCliTemp);

describe('kills while auto has raised the pace', () => {
  it('a complete run first: auto raises (submit_concurrency > 1) at this latency and budget', async () => {
    const e = await startEmulator({ domains: 60, seed: 1, redemptionShare: 0.4, latencyMs: 250, taskTiming: { waitingMs: 400, executingMs: 800 } });
    try {
      const { stdout, stderr, code } = await finished(spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], cliEnv(e, { REDEEM_MAX_PER_RUN: '50', REDEEM_MAX_PER_DAY: '50', REDEEM_API_QPS: '50' })));
      const run = completeRecords(stdout).filter((r) => r.kind === 'run').at(-1);
      if (!run) console.log(`[safety] full run exited ${code}: ${stderr.slice(0, 600)}`);
      console.log(`[safety] full run: outcome ${run?.outcome}, submit_concurrency ${run?.submit_concurrency}, orders ${e.domain.tasks.length}`);
      expect(Number(run?.submit_concurrency)).toBeGreaterThan(1);
    } finally {
      await e.close();
    }
  }, 30_000);

  it('8 seeded kills during the submissions: every order held has its submission line', async () => {
    const random = seededRandom(424_242);
    const rows: string[] = [];
    for (let k = 0; k < 8; k++) {
      const e = await startEmulator({ domains: 60, seed: 1, redemptionShare: 0.4, latencyMs: 250, taskTiming: { waitingMs: 400, executingMs: 800 } });
      try {
        const child = spawnCli(['run', '--mode', 'live', '--budget-seconds', '10', '--records'], cliEnv(e, { REDEEM_MAX_PER_RUN: '50', REDEEM_MAX_PER_DAY: '50', REDEEM_API_QPS: '50' }));
        const output = finished(child);
        const delayMs = 1_300 + Math.floor(random() * 4_500);
        await sleep(delayMs);
        child.kill('SIGKILL');
        const { stdout } = await output;
        await sleep(600); // requests sent before the death finish inside the emulator (latency 250 ms)
        const records = completeRecords(stdout);
        const submitted = new Set(records.filter((r) => r.kind === 'submission').map((r) => r.domain));
        const decided = records.filter((r) => r.kind === 'decision' && r.task_no !== undefined).length;
        const tasks = e.domain.tasks;
        rows.push(`kill@${delayMs}ms orders=${tasks.length} submissionLines=${submitted.size} decisionsWithTask=${decided}`);
        for (const t of tasks) expect(submitted.has(t.domainName), `order ${t.domainName} has no submission line (kill at ${delayMs} ms)`).toBe(true);
      } finally {
        await e.close();
      }
    }
    console.log(`[safety] kills: ${rows.join(' | ')}`);
  }, 120_000);
});
