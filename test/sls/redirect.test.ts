/**
 * An SLS endpoint that answers a redirect (a gateway sending http:// on to https://, an address that has
 * moved): not followed (the LOG signature covers the request as it was sent, and records must not go
 * where SLS_ENDPOINT does not say), and not asked again; the error says it was a redirect, where it
 * pointed, and which setting to change, as the Domain API's does. A Location quoting the request (the
 * security token in its query) is quoted without the credentials.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SlsClient } from '../../shared/sls/client.js';
import { cannedServer } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS, recordingRuntime } from '../support/emulator.js';

let server: Awaited<ReturnType<typeof cannedServer>> | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const put = (endpoint: string) =>
  new SlsClient({ target: { endpoint, project: 'audit', logstore: 'results' }, credentials: EMULATOR_CREDENTIALS, clock: recordingRuntime().clock })
    .putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], { topic: 'domain-redeemer' }, Date.now() + 10_000)
    .then(
      () => undefined,
      (e: unknown) => e as Error,
    );

describe('an SLS endpoint that answers a redirect', () => {
  for (const status of [301, 302, 307, 308]) {
    it(`HTTP ${status}: not followed, not sent again; the error names the redirect, its Location and SLS_ENDPOINT`, async () => {
      server = await cannedServer(() => ({ status, body: '<html>Moved</html>', headers: { 'content-type': 'text/html', location: 'https://cn-hangzhou.log.aliyuncs.com/logstores/results/shards/lb' } }));
      const error = await put(server.url);
      expect(server.requests).toHaveLength(1);
      expect(error?.message).toMatch(new RegExp(`^SLS PutLogs failed: HTTP${status}: .*redirect to https://cn-hangzhou\\.log\\.aliyuncs\\.com/logstores/results/shards/lb.*SLS_ENDPOINT`));
    });
  }

  it('a Location that repeats the security token and the secret: quoted without them', async () => {
    const { securityToken, accessKeySecret } = EMULATOR_CREDENTIALS;
    server = await cannedServer(() => ({ status: 302, body: '', headers: { location: `https://gw.example/login?token=${encodeURIComponent(securityToken ?? '')}&s=${accessKeySecret}` } }));
    const error = await put(server.url);
    expect(error?.message).toMatch(/redirect to https:\/\/gw\.example\/login\?token=\*\*\*&s=\*\*\*/);
    expect(error?.message).not.toContain(accessKeySecret);
  });
});
