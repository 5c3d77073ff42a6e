/**
 * FC recycles a custom-runtime instance with SIGTERM (function-compute.md: instance lifecycle, the PreStop
 * hook). A run in progress when it comes must not end in silence: the process stops taking new connections,
 * lets the run finish (its orders followed, its records delivered to SLS, its message sent) and answers the
 * invocation, then exits. Node's default for SIGTERM ends the process at once, between any two lines.
 * Real processes and real HTTP on 127.0.0.1: the runtime is the built bundle in a child process, the registrar, SLS and the
 * notification webhook are stand-ins written from the vendors' docs.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fcInvokeHeaders } from '../support/fc.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsStandin } from '../support/sls-standin.js';
import { ROOT } from '../support/spawn.js';
import { webhookInbox, type WebhookInbox } from '../support/webhook-inbox.js';
import { FC_CREDENTIALS } from '../support/fc.js';
import { dueExpiration } from '../safety/standin-runs.js';

const SAVE = 'SaveSingleTaskForCreatingOrderRedeem';
let registrar: RegistrarStandin | undefined;
let sls: SlsStandin | undefined;
let inbox: WebhookInbox | undefined;
let child: ChildProcessWithoutNullStreams | undefined;

afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all([registrar?.close(), sls?.close(), inbox?.close()]);
});

function exited(process: ChildProcessWithoutNullStreams): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (process.exitCode !== null || process.signalCode !== null) return resolve({ code: process.exitCode, signal: process.signalCode });
    process.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/**
 * The built custom runtime (dist/redeem-custom-runtime/server.js, as FC starts it; `npm run build` makes
 * it), on a port the system picks, its 0.0.0.0 swapped for 127.0.0.1 by test/support/listen-loopback.mjs.
 */
async function spawnRuntime(env: Record<string, string>): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const started = spawn(process.execPath, ['--import', './test/support/listen-loopback.mjs', 'dist/redeem-custom-runtime/server.js'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', FC_CUSTOM_LISTEN_PORT: '0', ...env },
  });
  let output = '';
  started.stdout.on('data', (chunk) => (output += chunk));
  started.stderr.on('data', (chunk) => (output += chunk));
  const port = await new Promise<string>((resolve, reject) => {
    const look = () => {
      const found = /listening on [\d.]+:(\d+)$/m.exec(output);
      if (found) resolve(found[1]!);
    };
    started.stdout.on('data', look);
    started.once('exit', () => reject(new Error(`the runtime ended before listening: ${output}`)));
  });
  return { child: started, url: `http://127.0.0.1:${port}`, output: () => output };
}

describe('custom runtime: SIGTERM during a run', () => {
  it('stops taking connections, finishes the run (records to SLS, the message sent), answers it, then exits 0', async () => {
    const names = ['keep-one.com', 'keep-two.com'];
    let newConnection: Promise<string> | undefined;
    registrar = await startStandin({
      domains: names.map((name) => domainItem(name, dueExpiration(name))),
      // The first order's answer is slow, and SIGTERM comes while the registrar holds it.
      delayMs: (call) => (call.action === SAVE && call.n === 1 ? 400 : undefined),
      script: (call) => {
        if (call.action === SAVE && call.n === 1 && child) {
          child.kill('SIGTERM');
          newConnection = new Promise((resolve) => setTimeout(resolve, 150)).then(() =>
            fetch(`${url}/healthz`).then(
              (res) => `answered ${res.status}`,
              (error: Error & { cause?: { code?: string } }) => `refused ${error.cause?.code ?? error.message}`,
            ),
          );
        }
        return undefined;
      },
    });
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS) });
    inbox = await webhookInbox();
    const env = {
      ...liveRunWithSls(registrar.url, sls.url),
      REDEEM_FOLLOW_SECONDS: '2',
      NOTIFY_WEBHOOK_URL: inbox.url,
      NOTIFY_WEBHOOK_SECRET: 'notify-secret-value',
    };
    const runtime = await spawnRuntime(env);
    child = runtime.child;
    const url = runtime.url;
    const end = exited(child);

    const res = await fetch(`${url}/invoke`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...fcInvokeHeaders('req-sigterm', '/invoke', 60) }, body: '{}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-fc-status')).toBe('200');
    const summary = (await res.json()) as { run: Record<string, unknown> };
    expect(summary.run).toMatchObject({ outcome: 'completed', count_succeeded: 2 });
    expect(registrar.orders.map((o) => o.domainName).sort()).toEqual(names);

    // No new invocation once FC said stop: the listening socket was closed.
    expect(await newConnection).toMatch(/^refused ECONNREFUSED/);
    // Everything the run wrote reached SLS, its last record included; a person was told what was ordered.
    const stored = sls.logs.map((l) => Object.fromEntries(l.contents));
    expect(stored.filter((c) => c.kind === 'run' && c.run_id === summary.run.run_id).at(-1)).toMatchObject({ outcome: 'completed' });
    expect(inbox.bodies).toHaveLength(1);
    expect(JSON.stringify(inbox.bodies[0])).toContain('keep-one.com');
    // Then the process ends by itself, with its reason in the log, without waiting for the client to drop
    // the kept-alive connection (FC's may stay open for minutes).
    const answered = Date.now();
    expect(await end).toEqual({ code: 0, signal: null });
    expect(Date.now() - answered).toBeLessThan(1_500);
    expect(runtime.output()).toMatch(/SIGTERM/);
  }, 30_000);

  it('with nothing in progress, exits 0 at once, a kept-alive idle connection notwithstanding', async () => {
    const runtime = await spawnRuntime({});
    child = runtime.child;
    const end = exited(child);
    expect((await fetch(`${runtime.url}/healthz`)).status).toBe(200);
    const signalled = Date.now();
    child.kill('SIGTERM');
    expect(await end).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeLessThan(1_500);
  });
});

describe('custom runtime: SIGTERM attacked (a second signal, a caller that hangs up)', () => {
  async function slowRun(onFirstOrder: () => void): Promise<{ url: string; end: Promise<{ code: number | null; signal: NodeJS.Signals | null }>; output: () => string }> {
    const names = ['keep-one.com', 'keep-two.com'];
    registrar = await startStandin({
      domains: names.map((name) => domainItem(name, dueExpiration(name))),
      delayMs: (call) => (call.action === SAVE && call.n === 1 ? 600 : undefined),
      script: (call) => {
        if (call.action === SAVE && call.n === 1) onFirstOrder();
        return undefined;
      },
    });
    sls = await startSlsStandin({ keys: keysFor(FC_CREDENTIALS) });
    inbox = await webhookInbox();
    const runtime = await spawnRuntime({ ...liveRunWithSls(registrar.url, sls.url), REDEEM_FOLLOW_SECONDS: '2', NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'notify-secret-value' });
    child = runtime.child;
    return { url: runtime.url, end: exited(child), output: runtime.output };
  }

  function finished(): void {
    // The run's last record reached SLS and the person was told: the run was not cut short.
    const stored = sls!.logs.map((l) => Object.fromEntries(l.contents));
    expect(stored.filter((c) => c.kind === 'run').at(-1), 'the run record in SLS').toMatchObject({ outcome: 'completed' });
    expect(registrar!.orders.map((o) => o.domainName).sort()).toEqual(['keep-one.com', 'keep-two.com']);
    expect(inbox!.bodies, 'the message').toHaveLength(1);
  }

  it('a second SIGTERM during the run does not end it: the run finishes and is answered, then exit 0', async () => {
    const run = await slowRun(() => {
      child!.kill('SIGTERM');
      setTimeout(() => child!.kill('SIGTERM'), 100);
    });
    const res = await fetch(`${run.url}/invoke`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...fcInvokeHeaders('req-twice', '/invoke', 60) }, body: '{}' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { run: Record<string, unknown> }).run).toMatchObject({ outcome: 'completed' });
    expect(await run.end).toEqual({ code: 0, signal: null });
    finished();
  }, 30_000);

  it('the caller hangs up during the run, then SIGTERM: the run still finishes before the process exits', async () => {
    // A raw connection, closed outright (a caller's curl killed, a proxy giving up): fetch's abort keeps
    // the socket for a while, and would not show a server whose last connection is gone.
    let socket: Socket | undefined;
    const run = await slowRun(() => {
      socket!.destroy();
      setTimeout(() => child!.kill('SIGTERM'), 50);
    });
    const { port } = new URL(run.url);
    const headers = { host: '127.0.0.1', 'content-type': 'application/octet-stream', 'content-length': '2', ...fcInvokeHeaders('req-hangup', '/invoke', 60) };
    socket = connect(Number(port), '127.0.0.1', () => socket!.write(`POST /invoke HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n{}`));
    socket.on('error', () => undefined);
    expect(await run.end).toEqual({ code: 0, signal: null });
    expect(run.output()).toContain('FC Invoke End RequestId: req-hangup');
    finished();
  }, 30_000);
  it('a request on a kept-alive connection after SIGTERM starts no run: 503 naming the stop, and the answer in progress says Connection: close', async () => {
    // FC's front (like any HTTP client) reuses a kept-alive connection. Node's server.close() stops new
    // connections only: an idle kept-alive one still takes a request until the 100 ms sweep ends it.
    let socket: Socket | undefined;
    const run = await slowRun(() => child!.kill('SIGTERM'));
    const { port } = new URL(run.url);
    const request = (id: string) => {
      const headers = { host: '127.0.0.1', 'content-type': 'application/octet-stream', 'content-length': '2', ...fcInvokeHeaders(id, '/invoke', 60) };
      return `POST /invoke HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n{}`;
    };
    let received = '';
    const answers: string[] = [];
    const closed = new Promise<void>((resolve) => {
      socket = connect(Number(port), '127.0.0.1', () => socket!.write(request('req-first')));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
      socket.on('data', (chunk) => {
        received += chunk;
        for (;;) {
          const end = received.indexOf('\r\n\r\n');
          const length = Number(/content-length: (\d+)/i.exec(received.slice(0, end))?.[1] ?? NaN);
          if (end < 0 || !(received.length >= end + 4 + length)) break;
          answers.push(received.slice(0, end + 4 + length));
          received = received.slice(end + 4 + length);
          // The instant the first answer is in, the next invocation on the same connection.
          if (answers.length === 1 && !socket!.destroyed) socket!.write(request('req-after'));
        }
      });
    });
    await closed;
    expect(await run.end).toEqual({ code: 0, signal: null });
    finished();
    expect(run.output(), 'a run for the request after SIGTERM').not.toMatch(/"kind":"run"[^\n]*"fc_request_id":"req-after"|"fc_request_id":"req-after"[^\n]*"kind":"run"/);
    expect(answers[0], 'the answer in progress at SIGTERM').toMatch(/^HTTP\/1\.1 200[^]*\r\nconnection: close\r\n/i);
    const after = answers[1];
    if (after !== undefined) {
      expect(after, 'a request after SIGTERM').toMatch(/^HTTP\/1\.1 503/);
      expect(after).toMatch(/"code":"instance-stopping"/);
    }
  }, 30_000);
  it('a request pipelined on the connection of the run in progress after SIGTERM is refused (instance-stopping), nothing run', async () => {
    let socket: Socket | undefined;
    const request = (id: string) => {
      const headers = { host: '127.0.0.1', 'content-type': 'application/octet-stream', 'content-length': '2', ...fcInvokeHeaders(id, '/invoke', 60) };
      return `POST /invoke HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n{}`;
    };
    const run = await slowRun(() => {
      child!.kill('SIGTERM');
      setTimeout(() => socket!.write(request('req-piped')), 100);
    });
    const { port } = new URL(run.url);
    let received = '';
    await new Promise<void>((resolve) => {
      socket = connect(Number(port), '127.0.0.1', () => socket!.write(request('req-first')));
      socket.on('error', () => undefined);
      socket.on('data', (chunk) => (received += chunk));
      socket.on('close', () => resolve());
    });
    expect(await run.end).toEqual({ code: 0, signal: null });
    finished();
    // Node drops the answer to a request pipelined behind one that says Connection: close; what answers it, if anything, is the refusal.
    const answers = received.split(/(?=HTTP\/1\.1 )/);
    expect(answers[0]!.slice(0, 12), received.slice(0, 400)).toBe('HTTP/1.1 200');
    for (const later of answers.slice(1)) expect(later).toMatch(/^HTTP\/1\.1 503[^]*"code":"instance-stopping"/);
    expect(run.output()).toMatch(/"message":"SIGTERM: refused an invocation that arrived while the instance stops","fc_request_id":"req-piped"/);
    expect(run.output()).not.toMatch(/FC Invoke Start RequestId: req-piped/);
    expect(run.output()).not.toMatch(/"fc_request_id":"req-piped"[^\n]*"kind":"run"|"kind":"run"[^\n]*"fc_request_id":"req-piped"/);
  }, 30_000);
});
