/**
 * npm run dev prints a curl recipe for the webhook. The README's deploy steps `export WEBHOOK_SECRET=…` in
 * the same shell a person later runs `npm run dev` from: the recipe must not print that secret.
 */
import { describe, expect, it } from 'vitest';
import { spawnEntry } from '../support/spawn.js';

/** The dev server's banner (everything up to "Ctrl-C to stop."); the child is stopped once it is printed. */
function banner(env: Record<string, string>): Promise<string> {
  const child = spawnEntry('scripts/dev.ts', [], { FC_CUSTOM_LISTEN_PORT: '0', ...env });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner in 20 s: ${out}`));
    }, 20_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('Ctrl-C to stop.')) {
        clearTimeout(timer);
        child.kill('SIGTERM');
        resolve(out);
      }
    });
  });
}

describe('npm run dev', () => {
  it('with WEBHOOK_SECRET from the environment, the recipe names the variable, never its value', async () => {
    const text = await banner({ WEBHOOK_SECRET: 'prod-webhook-secret-4f1c9e' });
    expect(text).toContain('/webhook');
    expect(text).not.toContain('prod-webhook-secret-4f1c9e');
    expect(text).toContain('"$WEBHOOK_SECRET"');
  });

  it("without it, the recipe shows the dev server's own made-up secret, which works as printed", async () => {
    expect(await banner({})).toContain("-hmac 'dev-webhook-secret'");
  });
});
