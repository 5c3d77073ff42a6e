/** A notification endpoint (NOTIFY_WEBHOOK_URL) on a loopback port that keeps every JSON body it is sent. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface WebhookInbox {
  readonly url: string;
  readonly bodies: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function webhookInbox(): Promise<WebhookInbox> {
  const bodies: Array<Record<string, unknown>> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, bodies, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** An inbox per test, closed after it: call once in a test file (or describe), then `open()` in each test. */
export function inboxPerTest(): () => Promise<WebhookInbox> {
  let current: WebhookInbox | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async () => (current = await webhookInbox());
}
