/**
 * npm start: the main job on the embedded emulator. Starts the emulator in-process with a demo
 * portfolio, runs the redeemer live against it, prints the table and the summary, and exits.
 */
import { main } from '../shared/cli/main.js';
import { startDemoEmulator } from './demo-emulator.js';

const { emulator, env } = await startDemoEmulator();
process.stdout.write(`Embedded emulator on ${emulator.url}: ${emulator.domain.domains.length} domains, ${emulator.domain.domains.filter((d) => d.domainStatus === 2).length} in redemption.\n\n`);
const code = await main(['run', '--budget-seconds', '60'], {
  env: { ...process.env, ...env },
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
});
const state = emulator.state('none');
process.stdout.write(`\nThe emulator now holds ${state.tasks.length} redeem tasks and ${state.logs.length} records in SLS ${env.SLS_PROJECT}/${env.SLS_LOGSTORE}.\n`);
await emulator.close();
process.exitCode = code;
