/**
 * The custom runtime as its own process, for tests that signal it: what functions/redeem/server.ts starts,
 * on a loopback port the system picks (server.ts binds 0.0.0.0, as FC needs; a test server listens on
 * 127.0.0.1 only). Prints `listening <port>` once it accepts connections.
 */
import { startCustomRuntime } from '../../functions/redeem/custom-runtime.js';

const { port } = await startCustomRuntime({ env: process.env, port: 0, hostname: '127.0.0.1', stopOnSignals: true, followIntervalMs: 20 });
process.stdout.write(`listening ${port}\n`);
