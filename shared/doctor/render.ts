/** The doctor's report for a person (one line per check, what to do under every ✘) and as JSON. */
import type { DoctorReport } from './doctor.js';

const MARK = { pass: '✔', fail: '✘', off: '–' } as const;

/** What no read can show: only an order tells, so the doctor lists it and says how to find out safely. */
export const CANNOT_CHECK: readonly string[] = [
  "whether domain:CreateOrderRedeem works with a RAM role's STS credentials (an older page says RAM identities cannot order domains; newer ones grant the action): only an order shows it",
  'how the first order is paid: most likely from the account balance (cash and credit), at once; a failed payment shows only in the task\'s ErrorMsg, and may leave an unpaid order behind',
  'the safe way to find out: pick one low-value domain in redemption, set REDEEM_DOMAINS to it alone and REDEEM_MAX_PER_RUN=1, set REDEEM_MODE=live, run once, and read its record and the console\'s order list',
];

export function renderDoctor(report: DoctorReport): string {
  const lines = ['redeemer doctor: no order is placed; the only writes are one test record and one test message', ''];
  report.checks.forEach((check, i) => {
    lines.push(`${MARK[check.status]} ${String(i + 1).padStart(2)} ${check.title}: ${check.detail}`);
    if (check.status === 'fail' && check.fix) lines.push(`        → ${check.fix}`);
  });
  const count = (status: 'pass' | 'fail' | 'off') => report.checks.filter((c) => c.status === status).length;
  lines.push('', `${count('pass')} passed, ${count('fail')} failed, ${count('off')} not configured`, '', 'Not checked (it would take an order):');
  for (const item of CANNOT_CHECK) lines.push(`  □ ${item}`);
  return `${lines.join('\n')}\n`;
}

export function renderDoctorJson(report: DoctorReport): string {
  return `${JSON.stringify({ ok: report.ok, exit_code: report.exitCode, doctor_id: report.doctorId, checks: report.checks, not_checked: CANNOT_CHECK }, null, 2)}\n`;
}
