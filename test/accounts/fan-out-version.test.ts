/**
 * The account runs must be the orchestrator's own code and configuration. FC 3.0 snapshots code and
 * environment variables in each published version; LATEST is the one being edited. An orchestrator that
 * a trigger on an alias (or a version) started, and that invoked the function without a qualifier, would
 * hand every account to LATEST: another REDEEM_MODE, another allow-list, other caps. Stand-ins follow the
 * documented shapes: the built-in runtime's context.service {qualifier, versionId}, the custom runtime's
 * x-fc-qualifier / x-fc-version-id headers, and InvokeFunction's `qualifier` query parameter.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/redeem/index.js';
import { cannedServer } from '../support/canned-server.js';
import { captureStdio, fcContext, fcInvokeHeaders, startRuntime, timerEvent } from '../support/fc.js';

const ROLE = 'acs:ram::2000000000000001:role/domain-redeemer';
const baseEnv = { ...process.env };

afterEach(() => {
  vi.restoreAllMocks();
  for (const key of Object.keys(process.env)) if (!(key in baseEnv)) delete process.env[key];
});

async function fcStandIn() {
  return cannedServer(() => ({ status: 202, body: '', headers: { 'x-fc-request-id': 'account-run-1' } }));
}

function env(fcUrl: string): Record<string, string> {
  return { REDEEM_MODE: 'dry-run', REDEEM_ACCOUNTS: ROLE, FC_ENDPOINT: fcUrl, FC_FUNCTION_NAME: 'domain-redeemer', SLS_ENDPOINT: '', SLS_PROJECT: '', SLS_LOGSTORE: '' };
}

describe('the account runs run the version the orchestrator runs', () => {
  it('built-in runtime: a timer on an alias invokes the version FC says it ran (context.service.versionId)', async () => {
    const fc = await fcStandIn();
    try {
      Object.assign(process.env, env(fc.url));
      captureStdio();
      const context = { ...fcContext(), service: { logProject: 'p', logStore: 's', qualifier: 'prod', versionId: '3' } };
      const summary = await handler(timerEvent(''), context);
      expect((summary as { run: { count_invoked: number } }).run.count_invoked).toBe(1);
      expect(fc.requests.map((r) => r.url)).toEqual(['/2023-03-30/functions/domain-redeemer/invocations?qualifier=3']);
    } finally {
      await fc.close();
    }
  });

  it('custom runtime: the x-fc-version-id FC sends with the event', async () => {
    const fc = await fcStandIn();
    const lines: string[] = [];
    const runtime = await startRuntime({ ...env(fc.url) }, lines);
    try {
      const answer = await fetch(`${runtime.url}/invoke`, {
        method: 'POST',
        headers: { ...fcInvokeHeaders('req-orchestrator'), 'x-fc-qualifier': 'prod', 'x-fc-version-id': '7', 'content-type': 'application/octet-stream' },
        body: '{}',
      });
      expect(answer.status).toBe(200);
      expect(fc.requests.map((r) => r.url)).toEqual(['/2023-03-30/functions/domain-redeemer/invocations?qualifier=7']);
    } finally {
      runtime.server.close();
      await fc.close();
    }
  });
});
