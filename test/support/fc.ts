/** FC-shaped events and context, built from the fixtures in test/fixtures/fc-events. */
import { createRequire } from 'node:module';
import { webhookSignature } from '../../shared/signing/webhook.js';
import type { ServerType } from '@hono/node-server';
import { vi } from 'vitest';
import { startCustomRuntime } from '../../functions/redeem/custom-runtime.js';
import { createLogger } from '../../shared/log/index.js';
import { readFixture } from './vectors.js';

const fixture = (name: string) => readFixture(`fc-events/${name}`);

export const FC_CREDENTIALS = { accessKeyId: 'STS.fc-role-key', accessKeySecret: 'fc-role-secret-value', securityToken: 'fc-role-security-token' };
export const WEBHOOK_SECRET = 'webhook-secret-value';

export function fcContext(overrides: { requestId?: string; credentials?: object; timeout?: number } = {}) {
  const base = fixture('context.json');
  return {
    ...base,
    requestId: overrides.requestId ?? base.requestId,
    credentials: overrides.credentials ?? FC_CREDENTIALS,
    function: { ...base.function, timeout: overrides.timeout ?? 60 },
  };
}

/** The x-fc-* headers FC sends the custom runtime: the control path, the request id, the role's keys, the timeout. */
export function fcInvokeHeaders(requestId: string, controlPath = '/invoke', timeoutSeconds = 60): Record<string, string> {
  return {
    'x-fc-control-path': controlPath,
    'x-fc-request-id': requestId,
    'x-fc-access-key-id': FC_CREDENTIALS.accessKeyId,
    'x-fc-access-key-secret': FC_CREDENTIALS.accessKeySecret,
    'x-fc-security-token': FC_CREDENTIALS.securityToken,
    'x-fc-function-timeout': String(timeoutSeconds),
  };
}

export function timerEvent(payload: string): Buffer {
  return Buffer.from(JSON.stringify({ ...fixture('timer-event.json'), payload }));
}

export function httpEvent(options: { method?: string; path?: string; body?: string; headers?: Record<string, string>; base64?: boolean }): Buffer {
  const base = fixture('http-event.json');
  const body = options.body ?? '';
  return Buffer.from(
    JSON.stringify({
      ...base,
      rawPath: options.path ?? '/webhook',
      body: options.base64 === false ? body : Buffer.from(body).toString('base64'),
      isBase64Encoded: options.base64 !== false,
      headers: { 'Content-Type': 'application/json', ...(options.headers ?? {}) },
      requestContext: { ...base.requestContext, http: { ...base.requestContext.http, method: options.method ?? 'POST', path: options.path ?? '/webhook' } },
    }),
  );
}

export function signedHeaders(body: string, nowSeconds = Math.floor(Date.now() / 1000), secret = WEBHOOK_SECRET): Record<string, string> {
  const timestamp = String(nowSeconds);
  return { 'X-Redeem-Timestamp': timestamp, 'X-Redeem-Signature': webhookSignature(secret, timestamp, body) };
}

/** The bundled function, loaded the way FC's nodejs20 runtime loads index.handler (CommonJS, no node_modules needed). */
export function loadBundledHandler(options: { readonly fresh?: boolean } = {}): (event: unknown, context: unknown) => Promise<any> {
  const require = createRequire(import.meta.url);
  // Fresh: a new module instance, as a new FC instance loads it (no orders of earlier runs in its memory).
  if (options.fresh) delete require.cache[require.resolve('../../dist/redeem/index.js')];
  return require('../../dist/redeem/index.js').handler;
}

/** The custom-runtime server on a free loopback port, its log lines collected in `lines`. */
export async function startRuntime(env: Readonly<Record<string, string | undefined>>, lines: string[], followIntervalMs = 20): Promise<{ server: ServerType; url: string }> {
  const { server, port } = await startCustomRuntime({ env, port: 0, hostname: '127.0.0.1', logger: createLogger((line) => lines.push(line)), followIntervalMs });
  return { server, url: `http://127.0.0.1:${port}` };
}

/** Takes over process.stdout and process.stderr for one test (vi.restoreAllMocks gives them back); `text` is what they got. */
export function captureStdio(): { text: string } {
  const captured = { text: '' };
  const capture = (chunk: unknown) => {
    captured.text += String(chunk);
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture as never);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture as never);
  return captured;
}
