/**
 * npm run demo:accounts: many accounts on the embedded emulator, through the real FC handler. Two member
 * accounts with their own portfolios and the role domain-redeemer; REDEEM_ACCOUNTS names both. A timer
 * event starts the orchestrating run, which invokes FC once per account (asynchronously, ACS3-signed);
 * the emulator hands each queued event back to the same handler, one at a time as reservedConcurrency: 1
 * does on FC, and each account run assumes its role and redeems in its own account (live: no money).
 */
import { renderTable } from '../shared/cli/index.js';
import type { FanOutSummary, RunSummary } from '../shared/run/index.js';
import { droppedLine, dropShellWiring, keptLine, startDemoEmulator, underShellPolicy } from './demo-emulator.js';

const MEMBERS = [
  { id: '2000000000000001', displayName: 'shop', domains: 24, seed: 31 },
  { id: '2000000000000002', displayName: 'brand', domains: 24, seed: 32 },
];
const roleArn = (id: string) => `acs:ram::${id}:role/domain-redeemer`;

const { emulator, env } = await startDemoEmulator({ accounts: MEMBERS });
process.stdout.write(`Embedded emulator on ${emulator.url}: the function's account and ${MEMBERS.length} member accounts (${MEMBERS.map((m) => m.id).join(', ')}).\n`);

// Without the shell's key, endpoints, logstore and robots (dropShellWiring); with its policy (REDEEM_*, NOTIFY_ON).
process.stdout.write(droppedLine(dropShellWiring(process.env)));
const demo = underShellPolicy({ ...env, REDEEM_MAX_PER_RUN: '3' }, process.env);
process.stdout.write(keptLine(demo.kept));
Object.assign(process.env, demo.env, {
  REDEEM_ACCOUNTS: MEMBERS.map((m) => roleArn(m.id)).join(','),
  STS_ENDPOINT: emulator.url,
  FC_ENDPOINT: emulator.url,
});
const { handler } = await import('../functions/redeem/index.js');
const context = (requestId: string) => ({
  requestId,
  credentials: { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN },
  function: { name: 'domain-redeemer', handler: 'index.handler', memory: 256, timeout: 60 },
  region: 'cn-hangzhou',
});

// FC's queue: each accepted asynchronous invocation is handed to the function, one at a time.
const accountRuns: Array<RunSummary | Error> = [];
emulator.fc.reservedConcurrency = 1;
emulator.fc.onInvoke = async (event) => {
  accountRuns.push(await (handler(event.payload, context(event.requestId)) as Promise<RunSummary>).catch((error: Error) => error));
};

const lines: string[] = [];
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
let orchestrator: FanOutSummary;
try {
  orchestrator = (await handler(Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'daily', payload: '' })), context('1-demo-orchestrator'))) as FanOutSummary;
  await emulator.fc.drain();
} catch (error) {
  // A run that cannot start (a bad value of the shell's policy, say): one line, as in npm start.
  process.stdout.write = write;
  process.stderr.write(`The handler failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await emulator.close();
  process.exit(1);
} finally {
  process.stdout.write = write;
}

const o = orchestrator.run;
process.stdout.write(`\nOrchestrating run ${o.run_id} (${o.mode}, ${o.trigger}): ${o.outcome}; ${o.count_accounts} accounts, ${o.count_invoked} invoked, ${o.count_failed} failed\n`);
for (const record of orchestrator.accounts) process.stdout.write(`  account ${record.account_id}: ${record.outcome}, FC request ${record.invocation_request_id ?? record.error_code}\n`);
for (const run of accountRuns) {
  if (run instanceof Error) {
    process.stdout.write(`\nAn account run failed: ${run.message}\n`);
    continue;
  }
  process.stdout.write(`\n== Account ${run.run.account_id} (FC request ${run.run.fc_request_id})\n\n${renderTable(run)}\n`);
}
const orders = MEMBERS.map((m) => `${m.id}: ${emulator.accounts.get(m.id).domain.tasks.length}`).join(', ');
const own = emulator.accounts.get(emulator.accounts.managementId).domain.tasks.length;
const calls = emulator.calls.reduce<Record<string, number>>((n, c) => ({ ...n, [c.action]: (n[c.action] ?? 0) + 1 }), {});
process.stdout.write(`\nFC invocations: ${emulator.fc.invocations.length}; redeem tasks per member account: ${orders}; the function's own account (not in REDEEM_ACCOUNTS): ${own} (the demo's order "from an earlier run")\n`);
process.stdout.write(`API calls: ${Object.entries(calls).map(([action, n]) => `${action} ${n}`).join(', ')}\n`);
process.stdout.write(`The function wrote ${lines.length} JSON lines to stdout; SLS ${env.SLS_PROJECT}/${env.SLS_LOGSTORE} holds ${emulator.sls.logs.length} records; the DingTalk robot got ${emulator.robots.state().dingtalk.received.length} messages (one per account run).\n`);
await emulator.close();
process.exitCode = o.outcome === 'completed' && accountRuns.every((r) => !(r instanceof Error) && r.run.outcome === 'completed') ? 0 : 1;
