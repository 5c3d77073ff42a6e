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

describe('the doctor on the read-backs', () => {
  const write = async () => undefined;
  const record = { kind: 'doctor', doctor_id: 'd-2', message: 'test' } as const;

  it('fails when the logstore cannot be read back (no index, or no log:GetLogStoreLogs): the day\'s orders of other instances would not hold their domains', async () => {
    const check = await checkSls({ writeSlsRecord: write, readSlsBack: async () => Promise.reject(new Error('SLS GetLogs failed: IndexConfigNotExist: logstore without index config (HTTP 400)')) }, record);
    expect(check.status).toBe('fail');
    expect(check.detail).toMatch(/IndexConfigNotExist/);
    expect(check.detail).toMatch(/written/);
    expect(check.fix).toMatch(/index/);
    for (const field of ['kind', 'action', 'notify', 'account_id']) expect(check.fix).toContain(`\`${field}\``);
    expect(check.fix).toContain('log:GetLogStoreLogs');
  });

  it('passes, and says so, when the read-back answers', async () => {
    let asked = 0;
    const check = await checkSls({ writeSlsRecord: write, readSlsBack: async () => void asked++ }, record);
    expect(check.status).toBe('pass');
    expect(asked).toBe(1);
    expect(check.detail).toMatch(/read back/);
  });
});
