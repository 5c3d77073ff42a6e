/**
 * npm run dev prints a curl recipe for the webhook. The README's deploy steps `export WEBHOOK_SECRET=…` in
 * the same shell a person later runs `npm run dev` from: the recipe must not print that secret, and the
 * demo (a live run against the emulator) must not reach the real registrar, logstore or robots that shell
 * points at.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { webhookSignature } from '../../shared/signing/index.js';
import { spawnEntry } from '../support/spawn.js';

/** The dev server's banner (everything up to "Ctrl-C to stop."); the child is stopped once it is printed, unless `keep`. */
function banner(env: Record<string, string>, keep?: (stop: () => void) => void): Promise<string> {
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
        if (keep) keep(() => child.kill('SIGTERM'));
        else child.kill('SIGTERM');
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

  // What a deploy shell holds: the real key, and where the real registrar, logstore and robot are (here one
  // server standing in for all three, which records whatever reaches it).
  it("from a deploy shell, the demo's run stays on the emulator: no request reaches the shell's endpoints, logstore or robot", async () => {
    const reached: string[] = [];
    const real = createServer((req: IncomingMessage, res) => {
      reached.push(`${req.method} ${req.url}`);
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => real.listen(0, '127.0.0.1', resolve));
    const realUrl = `http://127.0.0.1:${(real.address() as AddressInfo).port}`;
    let stop = () => {};
    try {
      const text = await banner(
        {
          ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tRealKeyOfTheShell',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'real-secret-of-the-shell',
          DOMAIN_ENDPOINT: realUrl,
          SLS_ENDPOINT: realUrl,
          SLS_PROJECT: 'prod-audit',
          SLS_LOGSTORE: 'results',
          NOTIFY_WECOM_URL: `${realUrl}/cgi-bin/webhook/send?key=real-group`,
        },
        (s) => (stop = s),
      );
      const functionUrl = /Function:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
      expect(functionUrl, text).toBeDefined();
      const body = JSON.stringify({ mode: 'dry-run', reason: 'deploy shell' });
      const ts = String(Math.floor(Date.now() / 1000));
      const answer = await fetch(`${functionUrl}/webhook`, { method: 'POST', body, headers: { 'x-redeem-timestamp': ts, 'x-redeem-signature': webhookSignature('dev-webhook-secret', ts, body) } });
      const json = (await answer.json()) as { run?: { outcome?: string } };
      expect(reached).toEqual([]);
      expect(answer.status, JSON.stringify(json)).toBe(200);
      expect(json.run?.outcome).toBe('completed');
      // Named, so a person knows the shell's settings were not used; their values are never printed.
      expect(text).toMatch(/DOMAIN_ENDPOINT/);
      expect(text).not.toContain('real-secret-of-the-shell');
      expect(text).not.toContain('real-group');
    } finally {
      stop();
      await new Promise<void>((resolve) => real.close(() => resolve()));
    }
  }, 40_000);

  // s.yaml's `${env('WEBHOOK_SECRET', '')}` habit: a shell that exported the variables empty. An empty
  // variable counts as unset (README "Configuration"), so the demo's own secret and mode stand; the shell's
  // empty WEBHOOK_SECRET replaced the dev secret and the printed recipe (`-hmac ''`) was answered 503.
  it('with WEBHOOK_SECRET and REDEEM_MODE exported empty, the recipe it prints is accepted, in the demo\'s live mode', async () => {
    let stop = () => {};
    try {
      const text = await banner({ WEBHOOK_SECRET: '', REDEEM_MODE: '' }, (s) => (stop = s));
      expect(text).toContain("-hmac 'dev-webhook-secret'");
      expect(text).toContain('(mode live,');
      const functionUrl = /Function:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!;
      const body = JSON.stringify({ mode: 'dry-run', reason: 'empty shell' });
      const ts = String(Math.floor(Date.now() / 1000));
      const answer = await fetch(`${functionUrl}/webhook`, { method: 'POST', body, headers: { 'x-redeem-timestamp': ts, 'x-redeem-signature': webhookSignature('dev-webhook-secret', ts, body) } });
      expect(answer.status, await answer.clone().text()).toBe(200);
    } finally {
      stop();
    }
  }, 40_000);
});

