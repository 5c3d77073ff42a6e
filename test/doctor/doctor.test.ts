import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDomains, planSummary, type DoctorFindings } from '../../shared/doctor/checks.js';
import { probeApiClock } from '../../shared/doctor/probe.js';
import { errorCode } from '../../shared/domain-api/index.js';
import type { DomainReads } from '../../shared/domain-api/index.js';
import { runDoctor, type DoctorReport } from '../../shared/doctor/doctor.js';
import { readOnlyDomainApi, type DoctorPorts } from '../../shared/doctor/ports.js';
import { buildDoctorPorts } from '../../shared/doctor/wire.js';
import { CANNOT_CHECK, renderDoctor, renderDoctorJson } from '../../shared/doctor/render.js';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, clientAt, recordingRuntime, startEmulator } from '../support/emulator.js';

const GREEN_ENV = {
  REDEEM_MODE: 'live',
  REDEEM_DOMAINS: '*.com,*.net,*.org,*.cn,*.xyz',
  DOMAIN_SITE: 'intl',
  REDEEM_TLD_RULES: '{"xyz":{"graceDays":30,"redemptionDays":30},"top":{"graceDays":30,"redemptionDays":30},"shop":{"graceDays":30,"redemptionDays":30}}',
  REDEEM_PRICES: '{"com": 600, "cn": 1200, "*": 1500}',
  REDEEM_MIN_BALANCE: '100',
  REDEEM_MAX_SPEND_PER_DAY: '100000',
  SLS_PROJECT: 'redeemer-results',
  SLS_LOGSTORE: 'results',
};

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ domains: 120, seed: 11, balance: 1_000_000, currency: 'CNY' });
  const inRedemption = emulator.domain.domains.filter((d) => d.domainStatus === 2);
  emulator.domain.seedTask(inRedemption[0]!.domainName, Date.now() - 3_600_000, { waitingMs: 0, executingMs: 0 });
});
afterAll(() => emulator.close());
afterEach(() => {
  emulator.deny.set([]);
  emulator.faults.clear();
  emulator.bss.balance = 1_000_000;
});

/** The ports exactly as the CLI and the handler build them, against an emulator, from an environment. */
function portsFor(target: Emulator, env: Record<string, string>, overrides: Partial<DoctorPorts> = {}): DoctorPorts {
  const fullEnv = { SLS_ENDPOINT: target.url, DOMAIN_ENDPOINT: target.url, BSS_ENDPOINT: target.url, ...env };
  const { clock } = recordingRuntime();
  return {
    ...buildDoctorPorts({ env: fullEnv, credentials: EMULATOR_CREDENTIALS, source: 'environment', clock }),
    notifyTest: async () => [{ channel: 'dingtalk', status: 'ok' }],
    ...overrides,
  };
}

function statusOf(report: DoctorReport): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}
function check(report: DoctorReport, id: string) {
  return report.checks.find((c) => c.id === id)!;
}
function ordered(target: Emulator): number {
  return target.calls.filter((c) => c.action === 'SaveSingleTaskForCreatingOrderRedeem').length;
}

describe('the doctor against the emulator', () => {
  it('all green: every check passes, one doctor record in SLS, exit code 0, and no order', async () => {
    const logsBefore = emulator.sls.logs.length;
    const report = await runDoctor(portsFor(emulator, GREEN_ENV));
    expect(report.checks.map((c) => [c.id, c.status, c.fix])).toEqual(report.checks.map((c) => [c.id, 'pass', undefined]));
    expect(report.checks.map((c) => c.id)).toEqual(['config', 'credentials', 'clock', 'domains', 'tasks', 'balance', 'sls', 'notify', 'tld-coverage', 'plan']);
    expect(report).toMatchObject({ ok: true, exitCode: 0 });
    const inRedemption = emulator.domain.domains.filter((d) => d.domainStatus === 2).length;
    expect(check(report, 'domains').detail).toContain(`${inRedemption} in redemption`);
    expect(check(report, 'tasks').detail).toMatch(/QueryTaskDetailList: 1 detail/);
    expect(check(report, 'balance').detail).toContain('1,000,000.00 CNY available');
    expect(check(report, 'plan').detail).toMatch(/^would order \d+, at risk \d+, held back by the allow-list \d+/);
    expect(check(report, 'sls').detail).toMatch(/written .* and read back/);
    expect(emulator.sls.logs.slice(logsBefore)).toEqual([expect.objectContaining({ contents: expect.objectContaining({ kind: 'doctor', doctor_id: report.doctorId }) })]);
    expect(ordered(emulator)).toBe(0);

    const text = renderDoctor(report);
    expect(text.split('\n').filter((l) => l.startsWith('✔'))).toHaveLength(10);
    for (const item of CANNOT_CHECK) expect(text).toContain(item);
    expect(text).toContain('REDEEM_MAX_PER_RUN=1');
    const json = JSON.parse(renderDoctorJson(report));
    expect(json).toMatchObject({ ok: true, exit_code: 0, checks: expect.any(Array), not_checked: CANNOT_CHECK });
  });

  it('never calls BSS with the guard unconfigured: the balance check is off (–), and off does not fail', async () => {
    const env = { ...GREEN_ENV, REDEEM_PRICES: '', REDEEM_MIN_BALANCE: '', REDEEM_MAX_SPEND_PER_DAY: '' };
    const before = emulator.bss.queries;
    const report = await runDoctor(portsFor(emulator, env, { notifyTest: undefined, writeSlsRecord: undefined }));
    expect(statusOf(report)).toMatchObject({ balance: 'off', sls: 'off', notify: 'off' });
    expect(report.exitCode).toBe(0);
    expect(emulator.bss.queries).toBe(before);
    expect(renderDoctor(report)).toMatch(/^– {2}6 balance \(bss:DescribeAcccount\): guard off/m);
  });

  const failures: Array<[string, string, () => Partial<Parameters<typeof portsFor>[1]> | void, RegExp, RegExp, Partial<DoctorPorts>?]> = [
    ['config', 'a bad variable', () => ({ REDEEM_PRICES: '{"com": -5}' }), /REDEEM_PRICES: prices\.com/, /correct the variables named/],
    // The webhook refuses every request signed with a secret this short (functions/redeem/app.ts): the doctor
    // is where a person setting one up looks first. The value itself is never repeated.
    ['config', 'a WEBHOOK_SECRET too short to be a secret', () => ({ WEBHOOK_SECRET: 'hunter2-letmein' }), /^(?!.*hunter2).*WEBHOOK_SECRET is too short to be a secret \(15 characters\): the webhook refuses every request/, /openssl rand -hex 32/],
    ['config', 'an environment above 4 KB', () => ({ REDEEM_EXCLUDE: Array.from({ length: 300 }, (_, i) => `x${i}.example.com`).join(',') }), /above FC's 4096/, /fit 4 KB/],
    ['domains', 'QueryDomainList denied', () => void emulator.deny.set(['QueryDomainList']), /Forbidden/, /grant domain:QueryCommonInfo/],
    ['tasks', 'QueryTaskList denied', () => void emulator.deny.set(['QueryTaskList']), /QueryTaskList failed: Forbidden/, /grant domain:QueryDomainTask/],
    ['balance', 'QueryAccountBalance denied', () => void emulator.deny.set(['QueryAccountBalance']), /Forbidden.*balance-unknown/, /bss:DescribeAcccount/],
    ['balance', 'a balance below one order', () => void (emulator.bss.balance = 650), /not enough for one order at 600\.00 CNY/, /top up the account by at least 50\.00 CNY/],
    ['balance', 'a TLD in redemption without a price', () => ({ REDEEM_PRICES: '{"com": 600}' }), /no price for .* and no "\*"/, /to REDEEM_PRICES/],
    ['balance', 'REDEEM_CURRENCY another than the account\'s', () => ({ REDEEM_CURRENCY: 'USD' }), /billed in CNY \(QueryAccountBalance\), REDEEM_CURRENCY is USD: a run submits nothing/, /in CNY and set REDEEM_CURRENCY=CNY/],
    ['sls', 'SLS down', () => void emulator.faults.add({ kind: 'sls-down', count: 10 }), /ServerBusy|503/, /log:PostLogStoreLogs/],
    ['notify', 'a channel failing', () => undefined, /wecom failed \(errcode 93000\)/, /check the URL, token or secret of wecom/, { notifyTest: async () => [{ channel: 'dingtalk', status: 'ok' }, { channel: 'wecom', status: 'failed', code: 'errcode 93000' }] }],
    ['tld-coverage', 'TLDs without a deadline rule', () => ({ REDEEM_TLD_RULES: '' }), /not in the deadline rules .*(xyz|top|shop) \(\d+\)/, /REDEEM_TLD_RULES/],
    ['credentials', 'no credentials', () => undefined, /none found/, /give the function a role/, { credentials: { source: undefined, securityToken: false } }],
    ['plan', 'the plan failing', () => undefined, /ledger unreadable/, /Troubleshooting/, { planNow: () => Promise.reject(new Error('ledger unreadable')) }],
  ];

  it.each(failures)('✘ %s with %s, naming the fix, and still no order', async (id, _what, arrange, detail, fix, overrides) => {
    const envChange = arrange() ?? {};
    const report = await runDoctor(portsFor(emulator, { ...GREEN_ENV, ...envChange }, overrides ?? {}));
    const failing = check(report, id);
    expect(failing.status).toBe('fail');
    expect(failing.detail).toMatch(detail);
    expect(failing.fix).toMatch(fix);
    expect(report).toMatchObject({ ok: false, exitCode: 1 });
    expect(renderDoctor(report)).toMatch(new RegExp(`^✘ +\\d+ ${failing.title.replace(/[()]/g, '\\$&')}: .*\\n {8}→ `, 'm'));
    expect(ordered(emulator)).toBe(0);
  });

  it('✘ clock: 20 minutes off is refused by the API and the skew is told in seconds', async () => {
    const late = await startEmulator({ domains: 10, seed: 2, now: () => Date.now() + 20 * 60_000 });
    try {
      const report = await runDoctor(portsFor(late, GREEN_ENV), { checkTimeoutMs: 20_000 });
      const clock = check(report, 'clock');
      expect(clock.status).toBe('fail');
      expect(clock.detail).toMatch(/^1(19[5-9]|20[0-5]) s behind the API's clock; ACS3 refuses more than 15 minutes \(the API answered InvalidTimeStamp\.Expired\)/);
      expect(clock.fix).toMatch(/NTP/);
      expect(check(report, 'domains').fix).toMatch(/clock is more than 15 minutes off/);
      expect(ordered(late)).toBe(0);
    } finally {
      await late.close();
    }
  });

  it('✘ site: no domain on the configured site while the other site has some says to switch DOMAIN_SITE', async () => {
    const empty = await startEmulator({ domains: 0 });
    try {
      const other = readOnlyDomainApi(clientAt(emulator.url, { site: 'cn' }));
      const report = await runDoctor(portsFor(empty, GREEN_ENV, { otherSite: { site: 'cn', api: other } }));
      const domains = check(report, 'domains');
      expect(domains).toMatchObject({ status: 'fail', fix: 'set DOMAIN_SITE=cn' });
      expect(domains.detail).toBe(`DOMAIN_SITE=intl lists no domain, but the cn site lists ${emulator.domain.domains.length}`);
      expect(ordered(empty) + ordered(emulator)).toBe(0);
    } finally {
      await empty.close();
    }
  });

  it('the read-only port has no submit method, not even behind a cast', () => {
    const client = clientAt(emulator.url);
    const api = readOnlyDomainApi(client) as unknown as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['queryDomainList', 'queryTaskDetailList', 'queryTaskList']);
    expect(api.saveSingleTaskForCreatingOrderRedeem).toBeUndefined();
    expect(Object.isFrozen(api)).toBe(true);
  });

  it('a check that hangs fails at its deadline instead of holding the doctor', async () => {
    const report = await runDoctor(portsFor(emulator, GREEN_ENV, { planNow: () => new Promise(() => {}) }), { checkTimeoutMs: 200 });
    expect(check(report, 'plan')).toMatchObject({ status: 'fail', detail: 'no answer within 0 s' });
  });
});

describe('checkDomains', () => {
  it('a registrar that ignores PageNum: each domain in redemption is counted once, and the walk stops at the repeated page', async () => {
    const expiration = Date.now() - 40 * 86_400_000;
    let asked = 0;
    const page = { pageNum: 1, totalPages: undefined, totalItems: undefined, hasNext: true, requestId: 'r' };
    const domains = {
      queryDomainList: async (query: { queryType?: number }) => {
        if (query.queryType !== 2) return { ...page, items: [], hasNext: false };
        asked++;
        return { ...page, items: [{ DomainName: 'a.com', ExpirationDateLong: expiration, DomainStatus: '2' }, { DomainName: 'b.com', ExpirationDateLong: expiration, DomainStatus: '2' }] };
      },
    } as unknown as DomainReads;
    const findings: DoctorFindings = {};
    const result = await checkDomains({ domains, site: 'intl', otherSite: undefined }, findings);
    expect(findings.inRedemption).toEqual(['a.com', 'b.com']);
    expect(result.detail).toMatch(/^2 in redemption/);
    expect(asked).toBe(2);
  });

  it('a list served short (the page repeated while TotalItemNum announces more) fails the check and says how many were read', async () => {
    const expiration = Date.now() - 40 * 86_400_000;
    const domains = {
      queryDomainList: async (query: { queryType?: number }) =>
        query.queryType !== 2
          ? { pageNum: 1, totalPages: 1, totalItems: 0, hasNext: false, requestId: 'r', items: [] }
          : { pageNum: 1, totalPages: 2, totalItems: 150, hasNext: true, requestId: 'r', items: [{ DomainName: 'a.com', ExpirationDateLong: expiration, DomainStatus: '2' }] },
    } as unknown as DomainReads;
    const result = await checkDomains({ domains, site: 'intl', otherSite: undefined }, {});
    expect(result).toMatchObject({ status: 'fail', detail: expect.stringMatching(/TotalItemNum announced 150 domains; 1 were read/) });
  });
});

describe('the clock probe', () => {
  it('an API it cannot reach is a NetworkError, like any read (the doctor then names the network and DOMAIN_ENDPOINT as the fix)', async () => {
    const error = await probeApiClock({ endpoint: 'http://127.0.0.1:1', version: '2018-01-29', credentials: EMULATOR_CREDENTIALS, timeoutMs: 2_000 }).then(
      () => expect.fail('the probe answered'),
      (e: unknown) => e,
    );
    expect(errorCode(error)).toBe('NetworkError');
    expect((error as Error).message).toContain('QueryDomainList');
  });
});

describe('planSummary', () => {
  it('counts orders, domains at risk (due soon, not ordered, not already redeemed) and the allow-list\'s hold-backs', () => {
    expect(
      planSummary([
        { action: 'redeem', reason: 'due', daysLeft: 1 },
        { action: 'skip', reason: 'not-allowed', daysLeft: 2 },
        { action: 'skip', reason: 'excluded', daysLeft: 20 },
        { action: 'skip', reason: 'insufficient-balance', daysLeft: 0 },
        { action: 'skip', reason: 'already-redeemed', daysLeft: 1 },
        { action: 'skip', reason: 'outside-window', daysLeft: 9 },
      ]),
    ).toEqual({ candidates: 6, wouldOrder: 1, atRisk: 2, heldByAllowList: 2, heldByGuard: 1 });
  });
});
