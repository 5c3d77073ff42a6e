/**
 * A Domain API endpoint no connection reaches (a mistyped DOMAIN_ENDPOINT, or a function with no way out):
 * a user's error, so the failed run must name the setting to check, as it does for BSS, STS,
 * ResourceManager and FC. Port 9 (discard) on 127.0.0.1 is closed here, so each connect is refused.
 */
import { describe, expect, it } from 'vitest';
import { quickClock, runInProcess } from '../safety/harness.js';

describe('a Domain API endpoint that no connection reaches', () => {
  it('fails the run with advice that names DOMAIN_ENDPOINT and the internet access', async () => {
    const { summary } = await runInProcess(
      { REDEEM_MODE: 'dry-run', DOMAIN_ENDPOINT: 'http://127.0.0.1:9', REDEEM_API_QPS: '1000' },
      { clock: quickClock, budgetMs: 20_000 },
    );
    expect(summary.run).toMatchObject({ outcome: 'failed', error_code: 'NetworkError' });
    expect(String(summary.run.error_message)).toMatch(/did not complete: network error ECONNREFUSED/);
    expect(String(summary.run.error_message)).toContain('check DOMAIN_ENDPOINT');
    expect(String(summary.run.error_message)).toContain('internet access');
  });
});
