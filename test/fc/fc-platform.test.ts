/**
 * A stand-in of the FC 3.0 platform around the built-in runtime's handler, written from FC's published
 * contract (test/fixtures/fc-events, from the shared reference's function-compute.md): FC calls
 * handler(event: Buffer, context) with context.function.timeout, stops the invocation at that timeout
 * (an invocation still running then is a timeout error, its answer lost), and freezes the instance once the
 * handler's promise settles (nothing the process still does runs until the next invocation).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/redeem/index.js';
import { captureStdio, fcContext, FC_CREDENTIALS, timerEvent } from '../support/fc.js';
import { startChatRobots, type ChatRobots } from '../support/chat-robots.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { dueExpiration } from '../safety/standin-runs.js';

/** What FC saw of one invocation: when it settled (ms after FC called the handler), and how. */
interface Invocation {
  readonly settledMs: number;
  readonly timedOut: boolean;
  readonly value?: unknown;
  readonly error?: Error;
}

/** FC's invocation of a built-in handler: its answer counts only if it settles within the function's timeout. */
async function invokeAsFc(event: Buffer, context: ReturnType<typeof fcContext>): Promise<Invocation> {
  const started = Date.now();
  const limitMs = context.function.timeout * 1000;
  const settled = await Promise.race([
    handler(event, context).then(
      (value) => ({ value, error: undefined }),
      (error: Error) => ({ value: undefined, error }),
    ),
    new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), limitMs + 2_000)),
  ]);
  const settledMs = Date.now() - started;
  if (settled === 'timeout') return { settledMs, timedOut: true };
  return { settledMs, timedOut: settledMs > limitMs, ...settled };
}

const baseEnv = { ...process.env };
let registrar: RegistrarStandin | undefined;
let sls: SlsStandin | undefined;
let robots: ChatRobots | undefined;

function configure(env: Record<string, string>) {
  for (const key of Object.keys(process.env)) if (/^(REDEEM_|DOMAIN_|SLS_|WEBHOOK_|ALIBABA_CLOUD_|NOTIFY_|FC_)/.test(key)) delete process.env[key];
  Object.assign(process.env, env);
}

beforeEach(() => {
  forgetRobotSends();
  captureStdio();
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  Object.assign(process.env, baseEnv);
  await Promise.all([registrar?.close(), sls?.close(), robots?.close()]);
  registrar = sls = robots = undefined;
});

describe('the function timeout, tiny', () => {
  it.each([1, 2, 3, 4, 5])('a %i s timeout with a logstore that never answers: the handler still answers FC before the timeout', async (timeout) => {
    registrar = await startStandin({ domains: [domainItem('tiny.com', dueExpiration('tiny.com'))] });
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), projects: { audit: ['results'] }, script: () => 'hang' });
    configure(liveRunWithSls(registrar.url, sls.url));
    const seen = await invokeAsFc(timerEvent(''), fcContext({ requestId: `req-timeout-${timeout}`, timeout }));
    expect(seen, `settled after ${seen.settledMs} ms of a ${timeout * 1000} ms timeout`).toMatchObject({ timedOut: false });
  }, 15_000);
});
