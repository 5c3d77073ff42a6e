/**
 * npm start: the main job on the embedded emulator, through the real FC handler. Starts the emulator
 * in-process with a demo portfolio, invokes handler(event, context) with an FC-shaped timer event and
 * context (live mode: no money is involved), and prints the table from the run summary.
 */
import { renderTable } from '../shared/cli/index.js';
import type { RunSummary } from '../shared/run/index.js';
import { droppedLine, dropShellWiring, keptLine, startDemoEmulator, underShellPolicy } from './demo-emulator.js';

const { emulator, env } = await startDemoEmulator();
const inRedemption = emulator.domain.domains.filter((d) => d.domainStatus === 2).length;
process.stdout.write(`Embedded emulator on ${emulator.url}: ${emulator.domain.domains.length} domains, ${inRedemption} in redemption.\n`);

// The function reads its configuration from the environment, as on FC: the demo's, without the shell's
// key, endpoints, logstore and robots (a deploy shell's would send the demo's message to a real group).
// The shell's policy (REDEEM_*, NOTIFY_ON) goes before the demo's own.
process.stdout.write(droppedLine(dropShellWiring(process.env)));
const demo = underShellPolicy(env, process.env);
process.stdout.write(keptLine(demo.kept));
Object.assign(process.env, demo.env);
const { handler } = await import('../functions/redeem/index.js');
const event = Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'daily', payload: '{"reason":"npm start demo"}' }));
const context = {
  requestId: `1-demo-${Date.now().toString(16)}`,
  credentials: { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN },
  function: { name: 'domain-redeemer', handler: 'index.handler', memory: 256, timeout: 60 },
  region: 'cn-hangzhou',
};
process.stdout.write(`Invoking index.handler with a timer event (request id ${context.requestId}) ...\n\n`);

// What the function writes to stdout (one JSON line per record) is what FC ships to the log config.
const lines: string[] = [];
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
let summary: RunSummary;
try {
  summary = (await handler(event, context)) as RunSummary;
} catch (error) {
  // A run that cannot start (the shell's policy is the function's configuration: a bad value fails it as on
  // FC): its record and the error in one line each, not Node's uncaught-exception dump.
  process.stdout.write = write;
  process.stdout.write(`The function wrote ${lines.length} JSON lines to stdout; the last:\n${lines.at(-1)?.trim() ?? '(none)'}\n`);
  process.stderr.write(`The handler failed: ${error instanceof Error ? error.message : String(error)}\n`);
  await emulator.close();
  process.exit(1);
} finally {
  process.stdout.write = write;
}
process.stdout.write(`${renderTable(summary, { recordsNote: 'the function wrote every record to its stdout, as on FC' })}\n\n`);
process.stdout.write(`The function wrote ${lines.length} JSON lines to stdout; the run record:\n${lines.at(-1)?.trim() ?? '(none)'}\n`);
const state = emulator.state('none');
process.stdout.write(`The emulator now holds ${state.tasks.length} redeem tasks and ${state.logs.length} records in SLS ${env.SLS_PROJECT}/${env.SLS_LOGSTORE}.\n`);
const message = state.robots.dingtalk.received.at(-1)?.body as { markdown?: { text?: string } } | undefined;
process.stdout.write(
  message?.markdown?.text
    ? `\nThe message the DingTalk robot received (notify_dingtalk: ${String((JSON.parse(lines.at(-1) ?? '{}') as Record<string, unknown>).notify_dingtalk)}):\n\n${message.markdown.text}\n`
    : '\nNo notification was sent (nothing worth a person\'s attention).\n',
);
await emulator.close();
process.exitCode = summary.run.outcome === 'completed' && summary.run.count_failed === 0 ? 0 : 1;
