/**
 * An answer with no body that names a Content-Encoding: a gateway or a framework's compression that stamps
 * `Content-Encoding: gzip` on every answer, a 204 No Content or an empty 200 included (the case behind
 * axios's and node-fetch's "unexpected end of file" reports). Zero bytes are the empty body in any coding:
 * there is nothing to decode (RFC 9110 section 8.4 codes the content, and there is none), and curl and
 * browsers read it as empty. SLS answers a stored PutLogs with 200 and an empty body (sls.md section 2.2),
 * and a webhook may answer 204: read as "does not decode", a delivery that arrived counts as failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { send } from '../../shared/http/transport.js';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { forgetRobotSends } from '../../shared/notify/robot-pacing.js';
import { SlsClient } from '../../shared/sls/client.js';
import { cannedServer } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS, recordingRuntime } from '../support/emulator.js';
import { busyRun } from '../support/notify.js';

let server: Awaited<ReturnType<typeof cannedServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('an empty answer that names a content coding', () => {
  for (const coding of ['gzip', 'deflate', 'br']) {
    it(`${coding}, 204: read as the empty answer it is`, async () => {
      server = await cannedServer(() => ({ status: 204, body: '', headers: { 'content-encoding': coding } }));
      const answer = await send({ method: 'POST', url: server.url, headers: [], body: '{}', timeoutMs: 2_000 });
      expect(answer.status).toBe(204);
      expect(answer.body.length).toBe(0);
    });
  }

  it('a PutLogs stored and answered 200 with an empty gzip-coded body: delivered once, not sent again (SLS keeps every copy)', async () => {
    server = await cannedServer(() => ({ status: 200, body: '', headers: { 'content-encoding': 'gzip', 'content-length': '0', 'x-log-requestid': '5642FC2399248C8F7B0145FD' } }));
    const { clock } = recordingRuntime();
    const client = new SlsClient({ target: { endpoint: server.url, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock });
    await expect(client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], { topic: 'domain-redeemer' }, Date.now() + 10_000)).resolves.toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('a webhook that answers 204 with Content-Encoding: gzip: the channel is ok, not "may have posted it"', async () => {
    forgetRobotSends();
    server = await cannedServer(() => ({ status: 204, body: '', headers: { 'content-encoding': 'gzip' } }));
    const { decisions, run, watch } = busyRun();
    const report = buildReport(decisions, run, watch, 3, { accountId: '1234567890' });
    const [result] = (await sendNotifications({ channels: { webhook: { url: `${server.url}/hook`, secret: 'webhook-secret-0123456789' } } }, report, { deadlineMs: Date.now() + 10_000, now: Date.now, sleep: async () => undefined })).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'webhook', status: 'ok', attempts: 1 });
  });
});
