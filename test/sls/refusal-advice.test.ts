/**
 * SLS's refusals of a PutLogs that a person mends (the vendor's error table, sls.md 2.3: 404 ProjectNotExist
 * and LogStoreNotExist, 401 Unauthorized, InvalidAccessKeyId and SignatureNotMatch, 400 RequestTimeExpired)
 * name what to fix: SLS_PROJECT, SLS_LOGSTORE, the RAM policy (ram-policy.json), the credentials, the clock.
 * The vendor's words say what is wrong ("The Project does not exist : audit"), not which setting to change.
 * The advice goes where the person reads it: the run record's sls_error and the run's message, both cut.
 * The SLS stand-in answers each code with the documented body {"errorCode": …, "errorMessage": …}.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSls } from '../../shared/doctor/checks.js';
import { SlsClient } from '../../shared/sls/client.js';
import { runInProcess } from '../safety/harness.js';
import { EMULATOR_CREDENTIALS, recordingRuntime } from '../support/emulator.js';
import { domainItem, startStandin, type RegistrarStandin } from '../support/registrar-standin.js';
import { keysFor, liveRunWithSls, startSlsStandin, type SlsScripted, type SlsStandin } from '../support/sls-standin.js';
import { webhookInbox } from '../support/webhook-inbox.js';

let sls: SlsStandin;
let answer: SlsScripted | undefined;

beforeAll(async () => {
  sls = await startSlsStandin({ keys: keysFor(EMULATOR_CREDENTIALS), script: (call) => (call.api === 'PutLogs' ? answer : undefined) });
});
afterAll(() => sls.close());

// The vendor's own words, as SLS answers them (long enough that a cut of the whole line would take the advice).
const REFUSALS: Array<[status: number, code: string, words: string, fix: RegExp]> = [
  [404, 'ProjectNotExist', 'The Project does not exist : audit', /SLS_PROJECT/],
  [404, 'LogStoreNotExist', 'logstore results does not exist', /SLS_LOGSTORE/],
  [401, 'Unauthorized', 'denied by sts or ram, action: log:PostLogStoreLogs, resource: acs:log:cn-hangzhou:1234567890123456:project/audit/logstore/results', /ram-policy\.json/],
  // sls.md 2.3: Unauthorized is also an STS token invalid or expired; no grant mends that.
  [401, 'Unauthorized', 'The security token you provided has expired', /security token.*(renew|fresh)/],
  [401, 'InvalidAccessKeyId', 'AccessKeyId not found: STS.NUxxxxxxxxxxxxxxxxxx', /AccessKey/],
  [401, 'SignatureNotMatch', 'signature PJkAbCdEfGhIjKlMnOpQrStUvWx= not match', /AccessKey/],
  [400, 'RequestTimeExpired', 'Request time Thu, 03 Dec 2026 06:10:00 GMT has been expired while server time is Thu, 03 Dec 2026 06:40:00 GMT.', /clock/],
];

describe('a PutLogs refusal a person mends names what to fix', () => {
  it.each(REFUSALS)('HTTP %i %s: the error says what to fix', async (status, code, words, fix) => {
    sls.reset();
    answer = { status, errorCode: code, errorMessage: words };
    const { clock } = recordingRuntime();
    const client = new SlsClient({ target: { endpoint: sls.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock });
    const error = await client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], {}, Date.now() + 10_000).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toContain(`SLS PutLogs failed: ${code}: ${words}`);
    expect(error?.message).toMatch(/; what to do: /);
    expect(error!.message.split('; what to do: ')[1]).toMatch(fix);
    answer = undefined;
  });
});

describe('the advice reaches the person', () => {
  let registrar: RegistrarStandin;
  beforeAll(async () => {
    registrar = await startStandin({ domains: [domainItem('alpha.com', Date.now() - 55 * 86_400_000)] });
  });
  afterAll(() => registrar.close());

  it('in the run record (sls_error) and in the message, whole, however long the vendor words are', async () => {
    const inbox = await webhookInbox();
    try {
      const [status, code, words] = REFUSALS[2]!;
      answer = { status, errorCode: code, errorMessage: words };
      const { summary } = await runInProcess(liveRunWithSls(registrar.url, sls.url, { NOTIFY_WEBHOOK_URL: inbox.url }));
      expect(summary.run.sls_delivery).toBe('failed');
      expect(summary.run.sls_error).toMatch(/^SLS PutLogs failed: Unauthorized: .*; what to do: .*ram-policy\.json/);
      const problems = ((inbox.bodies[0]!.run as Record<string, unknown>).delivery_problems as string[]).join('\n');
      expect(problems).toMatch(/SLS delivery failed .*Unauthorized.*ram-policy\.json/);
    } finally {
      answer = undefined;
      await inbox.close();
    }
  });
});

describe('the doctor on a refused PutLogs', () => {
  it("leads with the refusal's own fix (here SLS_PROJECT, not a permission), and says it once", async () => {
    sls.reset();
    answer = { status: 404, errorCode: 'ProjectNotExist', errorMessage: 'The Project does not exist : audit' };
    try {
      const { clock } = recordingRuntime();
      const client = new SlsClient({ target: { endpoint: sls.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock });
      const check = await checkSls({ writeSlsRecord: (record) => client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: Object.entries(record) }], {}, Date.now() + 5_000) }, { kind: 'doctor', doctor_id: 'd-1', message: 'test' });
      expect(check.status).toBe('fail');
      expect(check.detail).toMatch(/ProjectNotExist/);
      expect(check.detail).not.toMatch(/what to do/);
      expect(check.fix).toMatch(/^check SLS_PROJECT/);
    } finally {
      answer = undefined;
    }
  });
});
