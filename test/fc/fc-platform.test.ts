/**
 * A stand-in of the FC 3.0 platform around the built-in runtime's handler, written from FC's published
 * contract (test/fixtures/fc-events, from the shared reference's function-compute.md): FC calls
 * handler(event: Buffer, context) with context.function.timeout, stops the invocation at that timeout
 * (an invocation still running then is a timeout error, its answer lost), and freezes the instance once the
 * handler's promise settles (nothing the process still does runs until the next invocation).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/redeem/index.js';
import { captureStdio, fcContext, fcInvokeHeaders, FC_CREDENTIALS, startRuntime, timerEvent } from '../support/fc.js';
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

let stdio = { text: '' };
beforeEach(() => {
  forgetRobotSends();
  stdio = captureStdio();
});
afterEach(async () => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
  Object.assign(process.env, baseEnv);
  await Promise.all([registrar?.close(), sls?.close(), robots?.close()]);
  registrar = sls = robots = undefined;
});

describe('the function timeout, tiny', () => {
  it.each([1, 2, 3, 4, 5])('a %i s timeout with a logstore that never answers: the handler still answers FC before the timeout', { timeout: 15_000, retry: 2 }, async (timeout) => {
    registrar = await startStandin({ domains: [domainItem('tiny.com', dueExpiration('tiny.com'))] });
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), projects: { audit: ['results'] }, script: () => 'hang' });
    configure(liveRunWithSls(registrar.url, sls.url));
    const seen = await invokeAsFc(timerEvent(''), fcContext({ requestId: `req-timeout-${timeout}`, timeout }));
    expect(seen, `settled after ${seen.settledMs} ms of a ${timeout * 1000} ms timeout`).toMatchObject({ timedOut: false });
    // A deadline measured in wall time: beside other test files on two cores, the event loop alone was once
    // 130 ms late on the 1 s case (1,027 ms; 921 ms alone). The defect was late every time (the budget was
    // the whole timeout); a machine that is late once is asked again.
  });
});

/** What reached the stand-ins after the handler settled: FC has frozen the instance by then, so none of it would run until the next invocation. */
async function afterSettling(settledAt: number, waitMs = 3_000): Promise<string[]> {
  const robotsBefore = robots?.received.length ?? 0;
  await new Promise((resolve) => setTimeout(resolve, waitMs));
  return [
    ...(registrar?.calls.filter((c) => c.at > settledAt).map((c) => `registrar ${c.action}`) ?? []),
    ...(sls?.calls.filter((c) => c.at > settledAt).map((c) => `sls ${c.api}`) ?? []),
    ...(robots ? robots.received.slice(robotsBefore).map((r) => `robot ${r.robot}`) : []),
  ];
}

describe('the function timeout, short: a person hears of the orders', () => {
  it.each([6, 8, 11])('a %i s function whose follow-ups get no answer: the orders placed are told before FC stops it', async (timeout) => {
    // The registrar took the orders, then its task list never answers again (held past any deadline): the
    // run follows until its work deadline; the message must still have its own time after that.
    registrar = await startStandin({
      domains: ['short-a.com', 'short-b.com'].map((n) => domainItem(n, dueExpiration(n))),
      newTaskStatus: 0,
      delayMs: (call) => (call.action.startsWith('QueryTask') && registrar!.orders.length === 2 ? 120_000 : undefined),
    });
    robots = await startChatRobots();
    configure({ ...liveRunWithSls(registrar.url, 'http://127.0.0.1:9'), SLS_ENDPOINT: '', SLS_PROJECT: '', SLS_LOGSTORE: '', ALIBABA_CLOUD_ACCESS_KEY_ID: FC_CREDENTIALS.accessKeyId, NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url });
    const seen = await invokeAsFc(timerEvent(''), fcContext({ requestId: `req-short-${timeout}`, timeout }));
    expect(seen.timedOut).toBe(false);
    expect(registrar.orders.map((o) => o.domainName).sort()).toEqual(['short-a.com', 'short-b.com']);
    const run = stdio.text.split('\n').filter((l) => l.includes('"kind":"run"')).map((l) => JSON.parse(l)).at(-1);
    expect({ dingtalk: run.notify_dingtalk, code: run.notify_dingtalk_code, error: run.notify_dingtalk_error }, 'the run record of the message').toEqual({ dingtalk: 'ok', code: undefined, error: undefined });
    expect(robots.posted('dingtalk')).toHaveLength(1);
  }, 20_000);
});

describe('FC freezes the instance when the handler settles', () => {
  const dueDomains = ['frozen-a.com', 'frozen-b.com', 'frozen-c.com'].map((n) => domainItem(n, dueExpiration(n)));

  it.each([
    ['tasks that never finish, a slow registrar and a logstore that stops answering', { newTaskStatus: 0, delay: 150, slsHangFrom: 2, failReads: false }],
    ['a registrar whose every read fails (500), a logstore that refuses every write', { newTaskStatus: 0, delay: 0, slsHangFrom: Infinity, failReads: true }],
    ['a registrar that throttles every read for 30 s (x-acs-retry-after), a logstore that refuses every write', { newTaskStatus: 0, delay: 0, slsHangFrom: Infinity, failReads: 'throttle' as const }],
  ])('%s: nothing is left running after the answer, and the person heard before it', async (_name, o) => {
    registrar = await startStandin({
      domains: dueDomains,
      newTaskStatus: o.newTaskStatus,
      delayMs: () => o.delay,
      script: (call) =>
        !o.failReads || call.action === 'SaveSingleTaskForCreatingOrderRedeem'
          ? undefined
          : o.failReads === 'throttle'
            ? { status: 400, body: { RequestId: 'T', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, headers: { 'x-acs-retry-after': '30000' } }
            : { status: 500, body: { Code: 'InternalError', Message: 'The request processing has failed due to some unknown error.', RequestId: 'R' } },
    });
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), projects: { audit: ['results'] }, script: (call) => (call.api !== 'PutLogs' ? undefined : call.n >= o.slsHangFrom ? 'hang' : o.failReads ? { status: 500, errorCode: 'InternalServerError', errorMessage: 'internal error' } : undefined) });
    robots = await startChatRobots();
    const t = robots.targets();
    configure({ ...liveRunWithSls(registrar.url, sls.url), NOTIFY_ON: 'always', NOTIFY_DINGTALK_URL: t.dingtalk.url, NOTIFY_WECOM_URL: t.wecom.url });
    const seen = await invokeAsFc(timerEvent(''), fcContext({ requestId: 'req-freeze', timeout: 6 }));
    const settledAt = Date.now();
    expect(seen.timedOut).toBe(false);
    expect(robots.received.filter((r) => r.posted).map((r) => r.robot).sort(), 'the message, before the answer').toEqual(['dingtalk', 'wecom']);
    expect(await afterSettling(settledAt), 'requests sent after the handler settled').toEqual([]);
  }, 20_000);
});

describe('events FC passes on as they came', () => {
  it('a direct invocation with a million unknown fields (16 MB, inside the 32 MB sync limit) is refused naming some of them, in an error of bounded size', async () => {
    configure({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIexample', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'example-secret', DOMAIN_ENDPOINT: 'http://127.0.0.1:9' });
    const event = Buffer.from(JSON.stringify(Object.fromEntries(Array.from({ length: 1_000_000 }, (_, i) => [`field${i}`, i]))));
    const seen = await invokeAsFc(event, fcContext({ requestId: 'req-big-event', timeout: 60 }));
    expect(seen.error?.message).toMatch(/^Invalid run options: \(root\): unknown fields field0, field1, /);
    expect(seen.error!.message.length, 'characters in the error FC shows').toBeLessThan(2_000);
    expect(seen.error!.message).toMatch(/and 999,9\d\d more/);
    // 16 MB of JSON parsed, scanned for repeated keys and validated: 8 to 11 s alone here, and 37 s once
    // with four other sessions' tests on the machine, past the 30 s it had.
  }, 120_000);
});

describe('a warm instance, its role credentials rotated between invocations', () => {
  it("the second invocation signs with the context's new STS keys only: the first set, expired, is nowhere reused", async () => {
    const first = { accessKeyId: 'STS.rotation-first', accessKeySecret: 'first-secret-value', securityToken: 'first-security-token' };
    const second = { accessKeyId: 'STS.rotation-second', accessKeySecret: 'second-secret-value', securityToken: 'second-security-token' };
    // The registrar and SLS accept one set at a time, as STS keys expire: the first, then only the second.
    const accepted: { accessKeyId: string; accessKeySecret: string; securityToken: string } = { ...first };
    registrar = await startStandin({ domains: [domainItem('rotated.com', dueExpiration('rotated.com'))], verify: accepted });
    const slsKeys: Record<string, { secret: string; token?: string }> = { ...keysFor(first) };
    sls = await startSlsStandin({ keys: slsKeys, projects: { audit: ['results'] } });
    configure({ ...liveRunWithSls(registrar.url, sls.url), REDEEM_MODE: 'dry-run' });
    const one = await invokeAsFc(timerEvent(''), fcContext({ requestId: 'req-rot-1', credentials: first }));
    expect(one.error?.message).toBeUndefined();
    Object.assign(accepted, second);
    delete slsKeys[first.accessKeyId];
    Object.assign(slsKeys, keysFor(second));
    const two = await invokeAsFc(timerEvent(''), fcContext({ requestId: 'req-rot-2', credentials: second }));
    expect(two.error?.message).toBeUndefined();
    expect((two.value as { run: Record<string, unknown> }).run).toMatchObject({ outcome: 'completed', sls_delivery: 'ok' });
    expect(registrar.refusals.map((r) => r.code)).toEqual([]);
    expect(stdio.text).not.toContain(second.accessKeySecret);
    expect(stdio.text).not.toContain(second.securityToken);
  }, 20_000);
});

describe('the custom runtime, as FC drives it', () => {
  it('POST /invoke with x-fc-function-timeout: 6 and a registrar that stops answering after the orders: answered in time, the message sent before, nothing after', async () => {
    registrar = await startStandin({
      domains: ['custom-a.com', 'custom-b.com'].map((n) => domainItem(n, dueExpiration(n))),
      newTaskStatus: 0,
      delayMs: (call) => (call.action.startsWith('QueryTask') && registrar!.orders.length === 2 ? 120_000 : undefined),
    });
    robots = await startChatRobots();
    const env = { ...liveRunWithSls(registrar.url, ''), SLS_ENDPOINT: '', SLS_PROJECT: '', SLS_LOGSTORE: '', NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url };
    const lines: string[] = [];
    const { server, url } = await startRuntime(env, lines, 1_000);
    try {
      const started = Date.now();
      const answer = await fetch(`${url}/invoke`, { method: 'POST', headers: { ...fcInvokeHeaders('req-custom-6', '/invoke', 6), 'content-type': 'application/octet-stream' }, body: timerEvent('') });
      const body = (await answer.json()) as { run: Record<string, unknown> };
      const settledAt = Date.now();
      expect(settledAt - started, 'ms to answer a 6 s invocation').toBeLessThan(6_000);
      expect(answer.headers.get('x-fc-status')).toBe('200');
      expect(body.run).toMatchObject({ outcome: 'completed', count_submitted: 2, notify_dingtalk: 'ok' });
      expect(robots.posted('dingtalk')).toHaveLength(1);
      expect(await afterSettling(settledAt, 2_000)).toEqual([]);
    } finally {
      server.close();
    }
  }, 20_000);
});

describe('a run that cannot start', () => {
  it.each([
    ['a timer payload the run refuses (a misspelt mode)', () => timerEvent('{"mode":"lve"}'), 'invalid-options'],
    ['a direct invocation asking for live of a dry-run function', () => Buffer.from('{"mode":"live"}'), 'escalation-refused'],
  ])('%s: its failed run record reaches the results logstore, where "runs that did not complete" is asked, not only stdout', async (_name, event, code) => {
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), projects: { audit: ['results'] } });
    configure({ ...liveRunWithSls('http://127.0.0.1:9', sls.url), REDEEM_MODE: 'dry-run' });
    const seen = await invokeAsFc(event(), fcContext({ requestId: 'req-no-start', timeout: 60 }));
    expect(seen.error?.name, 'FC sees a function error').toBeDefined();
    const onStdout = stdio.text.split('\n').filter((l) => l.includes('"kind":"run"')).map((l) => JSON.parse(l));
    expect(onStdout).toMatchObject([{ kind: 'run', outcome: 'failed', error_code: code, fc_request_id: 'req-no-start' }]);
    const stored = sls.logs.map((l) => Object.fromEntries(l.contents));
    expect(stored, 'records in the results logstore').toMatchObject([{ kind: 'run', outcome: 'failed', error_code: code, run_id: onStdout[0].run_id, seq: '1' }]);
  }, 20_000);
});

/**
 * What a frozen instance's idle keep-alive connections become: the NAT or load balancer between it and the
 * server forgets them while the instance is frozen, and answers the next packet on one with a reset (the
 * client never saw a FIN, since a frozen process reads nothing). A TCP relay in front of a server: after
 * freeze(), every connection opened before it is reset at the first byte the client sends on it.
 */
async function staleRelay(target: string): Promise<{ url: string; freeze(): void; resets: number; close(): Promise<void> }> {
  const { createServer, connect } = await import('node:net');
  const { port: targetPort } = new URL(target);
  const live = new Set<import('node:net').Socket>();
  const dead = new WeakSet<import('node:net').Socket>();
  const state = { resets: 0 };
  const server = createServer((client) => {
    live.add(client);
    const upstream = connect(Number(targetPort), '127.0.0.1');
    client.on('data', (chunk) => {
      if (dead.has(client)) {
        state.resets++;
        upstream.destroy();
        return void client.resetAndDestroy();
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => client.write(chunk));
    const end = () => {
      live.delete(client);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as import('node:net').AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    freeze: () => live.forEach((s) => dead.add(s)),
    get resets() {
      return state.resets;
    },
    close: () => {
      live.forEach((s) => s.destroy());
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe('a warm instance thawed after a freeze', () => {
  it('keep-alive connections the network forgot meanwhile (reset at first use) cost the next invocation nothing: it reads, records and reads the logstore back as a fresh one would', async () => {
    registrar = await startStandin({ domains: Array.from({ length: 40 }, (_, i) => domainItem(`thaw${i}.com`, dueExpiration(`thaw${i}.com`))) });
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), projects: { audit: ['results'] } });
    const toRegistrar = await staleRelay(registrar.url);
    const toSls = await staleRelay(sls.url);
    try {
      configure({ ...liveRunWithSls(toRegistrar.url, toSls.url), REDEEM_MODE: 'dry-run' });
      const one = await invokeAsFc(timerEvent(''), fcContext({ requestId: 'req-thaw-1', timeout: 60 }));
      expect((one.value as { run: Record<string, unknown> }).run).toMatchObject({ outcome: 'completed', sls_delivery: 'ok' });
      toRegistrar.freeze();
      toSls.freeze();
      const two = await invokeAsFc(timerEvent(''), fcContext({ requestId: 'req-thaw-2', timeout: 60 }));
      const run = (two.value as { run: Record<string, unknown> } | undefined)?.run;
      expect({ error: two.error?.message, resets: toRegistrar.resets + toSls.resets > 0 }).toEqual({ error: undefined, resets: true });
      expect(run).toMatchObject({ outcome: 'completed', sls_delivery: 'ok', count_would_redeem: 10 });
      expect(run?.read_problems).toBeUndefined();
    } finally {
      await Promise.all([toRegistrar.close(), toSls.close()]);
    }
  }, 30_000);
});

describe('the doctor inside the function', () => {
  it('{"action":"doctor"} on a 5 s function with a registrar and a logstore that never answer: the report comes back before FC stops it', async () => {
    registrar = await startStandin({ delayMs: () => 120_000 });
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), projects: { audit: ['results'] }, script: () => 'hang' });
    robots = await startChatRobots();
    configure({ ...liveRunWithSls(registrar.url, sls.url), REDEEM_MODE: 'dry-run', NOTIFY_DINGTALK_URL: robots.targets().dingtalk.url });
    const seen = await invokeAsFc(Buffer.from('{"action":"doctor"}'), fcContext({ requestId: 'req-doctor', timeout: 5 }));
    expect(seen, `settled after ${seen.settledMs} ms of 5000`).toMatchObject({ timedOut: false });
    expect((seen.value as { ok: boolean }).ok).toBe(false);
    expect(await afterSettling(Date.now(), 1_500)).toEqual([]);
  }, 20_000);
});

describe('a direct invocation whose event file is UTF-16 (Windows PowerShell 5.1 writes `echo … > event.json` so; s invoke --event-file sends it)', () => {
  it('is refused with what to fix, as the webhook refuses the same bytes, not as "not JSON"', async () => {
    configure({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIexample', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'example-secret', DOMAIN_ENDPOINT: 'http://127.0.0.1:9' });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"mode":"dry-run"}', 'utf16le')]);
    const seen = await invokeAsFc(utf16, fcContext({ requestId: 'req-utf16', timeout: 60 }));
    expect(seen.error?.message).toMatch(/UTF-16.*UTF-8/);
    const noMark = await invokeAsFc(Buffer.from('{"mode":"dry-run"}', 'utf16le'), fcContext({ requestId: 'req-utf16-2', timeout: 60 }));
    expect(noMark.error?.message).toMatch(/UTF-16.*UTF-8/);
  });
});

describe('a run that fails at once while the logstore read-back is slow', () => {
  it('leaves no read of the logstore going after the answer (its next pages would be sent by a thawed instance)', async () => {
    // The registrar refuses the listing outright (no permission); the read-back of the day's orders answers
    // full pages slowly, so it would page on after a run that ended without waiting for it.
    registrar = await startStandin({
      domains: [domainItem('readback.com', dueExpiration('readback.com'))],
      script: (call) => (call.action === 'QueryDomainList' ? { status: 403, body: { RequestId: 'F', Code: 'Forbidden.RAM', Message: 'User not authorized to operate on the specified resource.' } } : undefined),
    });
    const rows = Array.from({ length: 100 }, (_, i) => ({ kind: 'decision', action: 'redeem', mode: 'live', domain: `other${i}.com`, task_no: `T${i}`, run_id: 'earlier', __time__: String(Math.floor(Date.now() / 1000) - 60) }));
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS), projects: { audit: ['results'] }, script: (call) => (call.api === 'GetLogs' ? { getLogs: rows, delayMs: 600, headers: { 'x-log-progress': 'Complete' } } : undefined) });
    configure(liveRunWithSls(registrar.url, sls.url));
    const seen = await invokeAsFc(timerEvent(''), fcContext({ requestId: 'req-readback', timeout: 60 }));
    const settledAt = Date.now();
    expect(seen.error?.message).toMatch(/Forbidden.RAM/);
    expect(await afterSettling(settledAt, 3_000), 'requests sent after the handler settled').toEqual([]);
  }, 20_000);
});
