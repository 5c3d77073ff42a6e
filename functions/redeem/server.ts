/**
 * Custom runtime entry (custom.debian10 with Node 20): listens on 0.0.0.0:${FC_CUSTOM_LISTEN_PORT:-9000}.
 * A port it cannot have ends it with one line on stderr and exit code 1: FC (or whoever started it) only
 * sees that the server did not start; exit code 2 is kept for commands a person types wrongly.
 */
import { listenFailureLine, parsePort, probePort } from '../../shared/http/index.js';
import { startCustomRuntime } from './custom-runtime.js';

const HOST = '0.0.0.0';

function stop(line: string): never {
  process.stderr.write(`domain-redeemer: ${line}\n`);
  process.exit(1);
}

async function start(): Promise<void> {
  const text = process.env.FC_CUSTOM_LISTEN_PORT || '9000';
  const port = parsePort(text) ?? stop(`FC_CUSTOM_LISTEN_PORT must be a port number from 0 to 65535, got "${text}"`);
  try {
    // startCustomRuntime does not report listen errors; the probe does, with listen()'s own error.
    await probePort(port, HOST);
    const { port: listening } = await startCustomRuntime({ env: process.env, port, hostname: HOST, stopOnSignals: true });
    process.stdout.write(`domain-redeemer custom runtime listening on ${HOST}:${listening}\n`);
  } catch (error) {
    stop(listenFailureLine(error, port, 'FC_CUSTOM_LISTEN_PORT sets the port (on FC it follows customRuntimeConfig.port)') ?? String(error));
  }
}

void start();
