/** Custom runtime entry (custom.debian10 with Node 20): listens on 0.0.0.0:${FC_CUSTOM_LISTEN_PORT:-9000}. */
import { startCustomRuntime } from './custom-runtime.js';

const port = Number(process.env.FC_CUSTOM_LISTEN_PORT || 9000);
void startCustomRuntime({ env: process.env, port }).then(({ port: listening }) => {
  process.stdout.write(`domain-redeemer custom runtime listening on 0.0.0.0:${listening}\n`);
});
