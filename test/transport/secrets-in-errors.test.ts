/**
 * The vendor's SignatureDoesNotMatch message quotes the server's string to sign, which holds every signed
 * header, the security token among them. A JSON encoder may escape characters of it ('/' as '\/', as PHP
 * and some Java encoders do, or any character as \uXXXX): the token is then not in the answer's text as
 * it is, yet JSON.parse gives it back whole.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { DomainApiClient } from '../../shared/domain-api/client.js';
import { cannedServer } from '../support/canned-server.js';
import { ALL_TASKS } from '../support/emulator.js';
import { SlsClient } from '../../shared/sls/client.js';

const credentials = { accessKeyId: 'STS.NTestKeyId', accessKeySecret: 'Secret/With+Chars=', securityToken: 'CAIS/token+part/2==' };

describe('an error answer quoting the token with JSON escapes', () => {
  for (const [label, escape] of [
    ["'/' written as '\\/'", (text: string) => text.replace(/\//g, '\\/')],
    ['every letter written as \\uXXXX', (text: string) => text.replace(/[A-Za-z]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)],
  ] as const) {
    it(`${label}: neither the token nor the secret reaches the error`, async () => {
      const message = `The request signature we calculated does not match the signature you provided. Server string to sign is:POST\n/\n\nx-acs-security-token:${credentials.securityToken}\nsecret:${credentials.accessKeySecret}`;
      const raw = `{"RequestId":"R1","HostId":"domain-intl.aliyuncs.com","Code":"SignatureDoesNotMatch","Message":"${escape(JSON.stringify(message).slice(1, -1))}","Recommend":"https://api.aliyun.com/troubleshoot?q=SignatureDoesNotMatch"}`;
      expect(raw).not.toContain(credentials.securityToken);
      const server = await cannedServer(() => ({ status: 400, body: raw }));
      try {
        const client = new DomainApiClient({ endpoint: server.url, credentials, clock: systemClock, deadlineMs: Date.now() + 30_000, retry: { maxAttempts: 1 } });
        const error = await client.queryTaskList(ALL_TASKS).catch((e: unknown) => e);
        expect(error).toMatchObject({ code: 'SignatureDoesNotMatch' });
        const dump = JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).message);
        expect(dump).not.toContain(credentials.securityToken);
        expect(dump).not.toContain(credentials.accessKeySecret);
        expect(dump).toContain('x-acs-security-token:***');
      } finally {
        await server.close();
      }
    });
  }
});

describe('an XML error answer quoting the token with character references', () => {
  it("'/' written as &#x2F;: the message is decoded and the token replaced by ***", async () => {
    const raw = `<?xml version="1.0" encoding="UTF-8"?><Error><RequestId>R2</RequestId><HostId>domain-intl.aliyuncs.com</HostId><Code>SignatureDoesNotMatch</Code><Message>string to sign: x-acs-security-token:${credentials.securityToken.replace(/\//g, '&#x2F;')}</Message></Error>`;
    const server = await cannedServer(() => ({ status: 400, body: raw, headers: { 'content-type': 'text/xml' } }));
    try {
      const client = new DomainApiClient({ endpoint: server.url, credentials, clock: systemClock, deadlineMs: Date.now() + 30_000, retry: { maxAttempts: 1 } });
      const error = await client.queryTaskList(ALL_TASKS).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SignatureDoesNotMatch', serverMessage: 'string to sign: x-acs-security-token:***' });
    } finally {
      await server.close();
    }
  });
});

describe('the SLS client on an error answer quoting the token with JSON escapes', () => {
  it("'/' written as '\\/' in errorMessage: the token does not reach the SlsError", async () => {
    const raw = `{"errorCode":"Unauthorized","errorMessage":"denied for x-acs-security-token:${credentials.securityToken.replace(/\//g, '\\/')}"}`;
    const server = await cannedServer(() => ({ status: 401, body: raw, headers: { 'x-log-requestid': '0123456789ABCDEF01234567' } }));
    try {
      const client = new SlsClient({ target: { endpoint: server.url, project: 'audit', logstore: 'results' }, credentials, clock: systemClock, retry: { maxAttempts: 1 } });
      const error = await client.putLogs([{ time: Math.floor(Date.now() / 1000), contents: [['kind', 'run']] }], {}, Date.now() + 10_000).then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toContain('Unauthorized');
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error)) + String(error?.message)).not.toContain(credentials.securityToken);
    } finally {
      await server.close();
    }
  });
});
