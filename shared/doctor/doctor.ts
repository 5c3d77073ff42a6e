/**
 * `redeemer doctor`: the ten checks in order (an eleventh with REDEEM_ACCOUNTS), each bounded in time, none able to order anything. The
 * report says per check pass / fail / off (not configured), and for every fail what to do.
 */
import { randomUUID } from 'node:crypto';
import {
  checkAccounts,
  checkBalance,
  checkClock,
  checkConfig,
  checkCredentials,
  checkDomains,
  checkNotify,
  checkPlan,
  checkSls,
  checkTasks,
  checkTldCoverage,
  failed,
  type CheckId,
  type DoctorCheck,
  type DoctorFindings,
} from './checks.js';
import type { DoctorPorts, DoctorRecord } from './ports.js';

export interface DoctorReport {
  readonly checks: readonly DoctorCheck[];
  /** True when no configured check failed. */
  readonly ok: boolean;
  /** 0 when every configured check passes, 1 otherwise (2, bad usage, is the CLI's). */
  readonly exitCode: 0 | 1;
  readonly doctorId: string;
}

interface DoctorOptions {
  /** Each check's own deadline; a check still running then is a fail. */
  readonly checkTimeoutMs?: number;
  readonly doctorId?: string;
}

async function bounded(id: CheckId, ms: number, run: () => DoctorCheck | Promise<DoctorCheck>): Promise<DoctorCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DoctorCheck>((resolve) => {
    timer = setTimeout(
      () => resolve(failed(id, `no answer within ${Math.round(ms / 1000)} s`, 'check the network and the endpoint variables, then run the doctor again')),
      ms,
    );
  });
  try {
    return await Promise.race([Promise.resolve().then(run), late]);
  } catch (error) {
    // The checks catch their own errors; this is a bug's last line of defence.
    return failed(id, `the check itself failed: ${(error as Error).message}`, 'open an issue with this message');
  } finally {
    clearTimeout(timer);
  }
}

export async function runDoctor(ports: DoctorPorts, options: DoctorOptions = {}): Promise<DoctorReport> {
  const ms = options.checkTimeoutMs ?? 60_000;
  const doctorId = options.doctorId ?? randomUUID();
  const findings: DoctorFindings = {};
  const record: DoctorRecord = { kind: 'doctor', doctor_id: doctorId, message: 'test record from redeemer doctor; no order was placed' };
  const steps: Array<[CheckId, () => DoctorCheck | Promise<DoctorCheck>]> = [
    ['config', () => checkConfig(ports)],
    ['credentials', () => checkCredentials(ports)],
    ['clock', () => checkClock(ports)],
    ['domains', () => checkDomains(ports, findings)],
    ['tasks', () => checkTasks(ports)],
    ['balance', () => checkBalance(ports, findings)],
    ['sls', () => checkSls(ports, record)],
    ['notify', () => checkNotify(ports)],
    ['tld-coverage', () => checkTldCoverage(ports, findings)],
    ['plan', () => checkPlan(ports)],
  ];
  // Last, so that checks 1 to 10 keep their numbers (their fixes name them); only with REDEEM_ACCOUNTS set.
  const accounts = ports.accounts;
  // It starts no account after three quarters of its time, so that it reports before its deadline.
  const now = ports.now ?? Date.now;
  if (accounts) steps.push(['accounts', () => checkAccounts(accounts, { now, stopAtMs: now() + ms * 0.75 })]);
  const checks: DoctorCheck[] = [];
  for (const [id, run] of steps) checks.push(await bounded(id, ms, run));
  const ok = checks.every((c) => c.status !== 'fail');
  return { checks, ok, exitCode: ok ? 0 : 1, doctorId };
}
