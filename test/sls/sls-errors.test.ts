/**
 * Each documented PutLogs error code (the vendor's error-code table) against the SLS stand-in: which the
 * client asks again (a quota, a server fault: they pass; the official producers retry them) and which it
 * does not (a signature, a key, a clock, a missing project: asking again changes nothing), and what the
 * run then records and tells. Whatever the logstore's answer carries, no credential may come out of it.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SlsClient } from '../../shared/sls/client.js';
import { runInProcess } from '../safety/harness.js';
import { EMULATOR_CREDENTIALS, recordingRuntime } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, startSlsStandin, type SlsScripted, type SlsStandin, liveRunWithSls } from '../support/sls-standin.js';
import { webhookInbox } from '../support/webhook-inbox.js';

let sls: SlsStandin;
let answer: ((n: number, headers: Record<string, unknown>) => SlsScripted | undefined) | undefined;

beforeAll(async () => {
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: (call) => (call.api === 'PutLogs' ? answer?.(call.n, call.headers) : undefined) });
});
afterAll(() => sls.close());

const CODES: Array<[status: number, code: string, retried: boolean]> = [
  [400, 'RequestTimeExpired', false],
  [400, 'InvalidRequestTime', false],
  [400, 'PostBodyInvalid', false],
  [400, 'InvalidEncoding', false],
  [400, 'InvalidKey', false],
  [413, 'PostBodyTooLarge', false],
  [401, 'SignatureNotMatch', false],
  [401, 'Unauthorized', false],
  [401, 'InvalidAccessKeyId', false],
  [403, 'ProjectForbidden', false],
  [403, 'WriteQuotaExceed', true],
  [403, 'ShardWriteQuotaExceed', true],
  // The official Java producer's RetriableErrors ("transient exceptions that if retried may succeed").
  [403, 'ExceedQuota', true],
  [404, 'ProjectNotExist', false],
  [404, 'LogStoreNotExist', false],
  [500, 'InternalServerError', true],
  [500, 'RequestTimeout', true],
  [503, 'ServerBusy', true],
];

describe('PutLogs error codes', () => {
  it.each(CODES)('HTTP %i %s: asked again: %s; the error names PutLogs, the code and the status', async (status, code, retried) => {
    sls.reset();
    answer = () => ({ status, errorCode: code, errorMessage: `${code} happened` });
    const { clock } = recordingRuntime();
    const client = new SlsClient({ target: { endpoint: sls.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock });
    const error = await client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], { topic: 'domain-redeemer' }, Date.now() + 10_000).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(new RegExp(`^SLS PutLogs failed: ${code}: ${code} happened \\(HTTP ${status}, RequestId [0-9A-F]{24}\\)(; what to do: .+)?$`));
    expect(sls.callsOf('PutLogs').length).toBe(retried ? 4 : 1);
    answer = undefined;
  });
});

describe('an answer that repeats the request', () => {
  let registrar: RegistrarStandin;
  beforeAll(async () => {
    registrar = await startStandin({ domains: [domainItem('alpha.com', Date.now() - 55 * 86_400_000)] });
  });
  afterAll(() => registrar.close());

  it('a gateway that echoes every header (the security token, the signature) in its error: no credential in stdout, the run record, SLS or the message', async () => {
    const inbox = await webhookInbox();
    try {
      // Refused from the second request on (the first, the run's start, is delivered), quoting the headers.
      answer = (n, headers) => (n >= 2 ? { status: 401, errorCode: 'Unauthorized', errorMessage: `denied for request ${JSON.stringify(headers)}` } : undefined);
      const lines: string[] = [];
      const { summary } = await runInProcess(
        liveRunWithSls(registrar.url, sls.url, { NOTIFY_WEBHOOK_URL: inbox.url, NOTIFY_WEBHOOK_SECRET: 'webhook-signing-secret-0123456789' }),
        { onLine: (line) => lines.push(line) },
      );
      expect(summary.run.sls_delivery).toBe('failed');
      expect(summary.run.sls_error).toMatch(/^SLS PutLogs failed: Unauthorized: denied for request/);
      expect(inbox.bodies).toHaveLength(1);
      const everything = JSON.stringify([lines, summary, sls.records(), inbox.bodies]);
      expect(everything).toContain('SLS delivery failed');
      expect(everything).not.toContain(EMULATOR_CREDENTIALS.securityToken);
      expect(everything).not.toContain(EMULATOR_CREDENTIALS.accessKeySecret);
    } finally {
      answer = undefined;
      await inbox.close();
    }
  });
});

describe('a logstore that cannot be reached', () => {
  it('no such host (the project named twice, say): the error names the host, why, and SLS_ENDPOINT', async () => {
    const { clock } = recordingRuntime();
    // .invalid never resolves (RFC 6761): the shape of a project endpoint given where the region's belongs.
    const client = new SlsClient({ target: { endpoint: 'http://audit.cn-hangzhou.log.invalid', project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock, retry: { maxAttempts: 1 } });
    const error = await client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], {}, Date.now() + 10_000).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/^SLS PutLogs failed: NetworkError: .*audit\.audit\.cn-hangzhou\.log\.invalid.*\((ENOTFOUND|EAI_AGAIN)\).*SLS_ENDPOINT/);
  });

  it('a refused connection: the error says so, with the host', async () => {
    const { clock } = recordingRuntime();
    const closed = await startSlsStandin();
    const url = closed.url;
    await closed.close();
    const client = new SlsClient({ target: { endpoint: url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock, retry: { maxAttempts: 1 } });
    const error = await client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], {}, Date.now() + 10_000).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(new RegExp(`^SLS PutLogs failed: NetworkError: .*${new URL(url).host}.*\\(ECONNREFUSED\\)`));
  });
});

describe('an endpoint that is not SLS', () => {
  it('a web server answering 200 with a page to every request: the run says SLS delivery failed and why, not ok', async () => {
    // Any path, any method: 200 and an HTML page, as a site serving its index for unknown paths does.
    const site = createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Welcome</body></html>')));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const registrar = await startStandin({ domains: [domainItem('alpha.com', Date.now() - 55 * 86_400_000)] });
    try {
      const { summary } = await runInProcess(liveRunWithSls(registrar.url, `http://127.0.0.1:${(site.address() as AddressInfo).port}`));
      expect(summary.run.sls_delivery).toBe('failed');
      expect(summary.run.sls_error).toMatch(/^SLS PutLogs failed: .*x-log-requestid.*SLS_ENDPOINT/);
    } finally {
      site.closeAllConnections();
      site.close();
      await registrar.close();
    }
  });
});

describe('an answer far larger than any SLS answer', () => {
  it('a 2 MB error page: cut off unread, said as such (not as an unreachable host), and not fetched again', async () => {
    sls.reset();
    answer = () => ({ status: 500, errorCode: 'InternalServerError', errorMessage: 'x'.repeat(2 * 1024 * 1024) });
    const { clock } = recordingRuntime();
    const client = new SlsClient({ target: { endpoint: sls.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock });
    const error = await client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], {}, Date.now() + 10_000).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    answer = undefined;
    expect(error?.message).toMatch(/^SLS PutLogs failed: AnswerTooLarge: 127\.0\.0\.1:\d+ answered more than 1 MiB; cut off unread$/);
    expect(sls.callsOf('PutLogs')).toHaveLength(1);
  });
});

describe('a registrar answer that repeats the request', () => {
  it('a refusal quoting the security token and the secret: neither reaches stdout, the records, SLS or the summary', async () => {
    sls.reset();
    const registrar = await startStandin({
      domains: [domainItem('alpha.com', Date.now() - 55 * 86_400_000)],
      script: (call) =>
        call.action === 'SaveSingleTaskForCreatingOrderRedeem' || call.action === 'QueryTaskList'
          ? { status: 400, body: { RequestId: 'R-ECHO', Code: 'InvalidParameter', Message: `bad request: x-acs-security-token=${EMULATOR_CREDENTIALS.securityToken}; secret=${EMULATOR_CREDENTIALS.accessKeySecret}` } }
          : undefined,
    });
    try {
      const lines: string[] = [];
      const { summary } = await runInProcess(
        { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_API_QPS: '1000', DOMAIN_ENDPOINT: registrar.url, SLS_ENDPOINT: sls.url, SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results' },
        { onLine: (line) => lines.push(line) },
      );
      const everything = JSON.stringify([lines, summary, sls.records()]);
      expect(everything).toContain('InvalidParameter');
      expect(everything).not.toContain(EMULATOR_CREDENTIALS.securityToken);
      expect(everything).not.toContain(EMULATOR_CREDENTIALS.accessKeySecret);
    } finally {
      await registrar.close();
    }
  });
});
