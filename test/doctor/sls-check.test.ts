/**
 * The doctor's SLS check, when PutLogs is refused, points the user at the ram-policy.json statement that
 * grants it: the statement named must be the one that holds log:PostLogStoreLogs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSls } from '../../shared/doctor/checks.js';

const policy = JSON.parse(readFileSync(new URL('../../ram-policy.json', import.meta.url), 'utf8')) as { Statement: Array<{ Action: string[] }> };
const ORDINALS = ['first', 'second', 'third', 'fourth', 'fifth'];

describe('the doctor on a refused PutLogs', () => {
  it('names the statement of ram-policy.json that grants log:PostLogStoreLogs', async () => {
    const check = await checkSls({ writeSlsRecord: async () => Promise.reject(new Error('SLS PutLogs failed: Unauthorized: denied (HTTP 401)')) }, { kind: 'doctor', doctor_id: 'd-1', message: 'test' });
    expect(check.status).toBe('fail');
    const index = policy.Statement.findIndex((s) => s.Action.includes('log:PostLogStoreLogs'));
    expect(check.fix).toContain(`ram-policy.json, ${ORDINALS[index]} statement`);
    // And both read and write are named: the previous run's read needs log:GetLogStoreLogs too.
    expect(check.fix).toContain('log:GetLogStoreLogs');
  });
});
