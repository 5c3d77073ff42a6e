/**
 * npm run dev: the function's app on the custom-runtime server, next to the embedded emulator, for trying
 * the webhook with curl. Configuration comes from the demo; the environment may change its policy
 * (REDEEM_*, NOTIFY_ON) and the webhook's secret, never where it sends.
 */
import { startCustomRuntime } from '../functions/redeem/custom-runtime.js';
import { listenFailureLine, parsePort, probePort } from '../shared/http/index.js';
import { droppedLine, dropShellWiring, startDemoEmulator, underShellPolicy } from './demo-emulator.js';

/** Usage and environment problems: one line, exit code 2. */
function stop(line: string): never {
  process.stderr.write(`dev: ${line}\n`);
  process.exit(2);
}

const portText = process.env.FC_CUSTOM_LISTEN_PORT || '9000';
const port = parsePort(portText) ?? stop(`FC_CUSTOM_LISTEN_PORT must be a port number from 0 to 65535, got "${portText}"`);
// Before the emulator starts: startCustomRuntime does not report listen errors, the probe does.
await probePort(port, '127.0.0.1').catch((error: unknown) => stop(listenFailureLine(error, port, 'set FC_CUSTOM_LISTEN_PORT to another one (0 picks a free port)') ?? String(error)));
const { emulator, env } = await startDemoEmulator();
// The shell's key, endpoints, logstore and robots are not the demo's (dropShellWiring); its policy may be.
const shell: Record<string, string | undefined> = { ...process.env };
const ignored = dropShellWiring(shell);
// The shell's policy and WEBHOOK_SECRET before the demo's own, an empty one counting as unset.
const demo = underShellPolicy({ ...env, WEBHOOK_SECRET: 'dev-webhook-secret' }, shell);
const merged: Record<string, string | undefined> = { ...shell, ...demo.env };
const { port: listening } = await startCustomRuntime({ env: merged, port, hostname: '127.0.0.1' });
const url = `http://127.0.0.1:${listening}`;
// A WEBHOOK_SECRET from the environment may be the deployed function's (the README's deploy steps export it
// in the shell a person later runs this from): the recipe names the variable, and prints only our own.
const hmacKey = demo.kept.includes('WEBHOOK_SECRET') ? '"$WEBHOOK_SECRET"' : `'${merged.WEBHOOK_SECRET}'`;
process.stdout.write(`Emulator:  ${emulator.url}  (state: ${emulator.url}/__emulator/state)
Function:  ${url}  (mode ${merged.REDEEM_MODE}, credentials from ALIBABA_CLOUD_* of the demo)
${droppedLine(ignored)}
Try the webhook (dry-run):
  body='{"mode":"dry-run","reason":"curl"}'
  ts=$(date +%s)
  sig=$(printf '%s.%s' "$ts" "$body" | openssl dgst -sha256 -hmac ${hmacKey} | sed 's/^.* //')
  curl -s ${url}/webhook -H "x-redeem-timestamp: $ts" -H "x-redeem-signature: sha256=$sig" -d "$body"

Ctrl-C to stop.
`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void emulator.close().then(() => process.exit(0)));
