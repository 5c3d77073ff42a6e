/**
 * An orchestrating run that could hand no account on guarded nothing: FC must record it as a failed
 * invocation (CloudMonitor's function-error alarms, the console, `s invoke`) and the webhook caller must
 * get its 502, as for any run that failed as a whole. The FC stand-in refuses InvokeFunction as FC does
 * when the function's role lacks fc:InvokeFunction (HTTP 403, {Code, Message, RequestId}).
 */
import { describe, expect, it } from 'vitest';
import { invokeRun, type Platform } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';
import { cannedServer } from '../support/canned-server.js';
import { EMULATOR_CREDENTIALS } from '../support/emulator.js';

const ROLES = ['acs:ram::2000000000000001:role/domain-redeemer', 'acs:ram::2000000000000002:role/domain-redeemer'];
const platform: Platform = { channel: 'event', credentials: EMULATOR_CREDENTIALS, requestId: 'req-orchestrator', timeoutSeconds: 60 };

describe('an orchestrating run that hands no account on', () => {
  it('is a failed run, with the refusal as its error; one handed on of two is still a completed run', async () => {
    // The first two invocations (the first run's) are refused; of the next two, only the first.
    const fc = await cannedServer((_req, n) =>
      n <= 3 ? { status: 403, body: { Code: 'AccessDenied', Message: 'the caller is not authorized to invoke the function', RequestId: `fc-403-${n}` } } : { status: 202, body: '' },
    );
    const lines: string[] = [];
    const deps = { env: { REDEEM_ACCOUNTS: ROLES.join(','), FC_ENDPOINT: fc.url, FC_FUNCTION_NAME: 'domain-redeemer' }, logger: createLogger((line) => void lines.push(line)) };
    try {
      const none = (await invokeRun('timer', {}, platform, deps)) as any;
      expect(none.run).toMatchObject({ outcome: 'failed', count_accounts: 2, count_invoked: 0, count_failed: 2, error_code: 'AccessDenied' });
      expect(none.run.error_message).toMatch(/^no account could be handed on \(2 of 2 failed\): InvokeFunction failed: AccessDenied/);

      const some = (await invokeRun('timer', {}, platform, deps)) as any;
      expect(some.run).toMatchObject({ outcome: 'completed', count_invoked: 1, count_failed: 1 });
    } finally {
      await fc.close();
    }
  });

  it('hand-ons that may have been queued (the connection reset after the request went out) do not fail the run: FC retrying it could run an account twice', async () => {
    const fc = await cannedServer(() => 'drop');
    const deps = { env: { REDEEM_ACCOUNTS: ROLES.join(','), FC_ENDPOINT: fc.url, FC_FUNCTION_NAME: 'domain-redeemer' }, logger: createLogger(() => undefined) };
    try {
      const summary = (await invokeRun('timer', {}, platform, deps)) as any;
      expect(summary.run).toMatchObject({ outcome: 'completed', count_invoked: 0, count_failed: 2 });
      expect(fc.requests).toHaveLength(2);
    } finally {
      await fc.close();
    }
  });
});
