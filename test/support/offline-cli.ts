import { main } from '../../shared/cli/main.js';

/**
 * `redeemer ARGS` in-process, with credentials set and an endpoint nobody listens on: a refusal that
 * reached the registrar would fail differently (exit 1, a network error), so what it prints is main()'s own
 * check of the arguments. `first` is the first line it wrote to stderr.
 */
export async function offlineCli(args: string[]): Promise<{ code: number; out: string; err: string; first: string }> {
  let out = '';
  let err = '';
  const env = { DOMAIN_ENDPOINT: 'http://127.0.0.1:9', ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret' };
  const code = await main(args, { env, out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err, first: err.split('\n')[0]! };
}
