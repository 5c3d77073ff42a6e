/**
 * The planner: a pure function of (domains, ledger, configuration, run, now) that gives every domain one
 * decision with a reason, earliest deadline first. Caps go to the most urgent domains.
 */
import type { RedeemerConfig } from '../config/index.js';
import { matchesAny, normalizeDomainName } from '../config/index.js';
import { estimateDeadline, type DeadlineEstimate } from './deadline.js';
import type { Ledger } from './ledger.js';
import type { EffectiveRun } from './options.js';

export interface Candidate {
  readonly domainName: string;
  readonly expirationMs: number;
}

export type SkipReason = 'outside-window' | 'not-allowed' | 'excluded' | 'task-in-flight' | 'already-redeemed' | 'cap-per-run' | 'cap-per-day';
export type RedeemReason = 'due' | 'dry-run';

export type Decision = Candidate &
  DeadlineEstimate &
  ({ readonly action: 'redeem'; readonly reason: RedeemReason } | { readonly action: 'skip'; readonly reason: SkipReason; readonly taskNo?: string | undefined });

export type PlanConfig = Pick<RedeemerConfig, 'allow' | 'exclude' | 'withinDays' | 'maxPerRun' | 'maxPerDay' | 'tldRules'>;

export function plan(candidates: readonly Candidate[], ledger: Ledger, config: PlanConfig, run: EffectiveRun, nowMs: number): Decision[] {
  const estimated = candidates
    .map((c) => {
      const domainName = normalizeDomainName(c.domainName) ?? c.domainName.toLowerCase();
      return { ...c, domainName, ...estimateDeadline(domainName, c.expirationMs, config.tldRules, nowMs) };
    })
    .sort((a, b) => a.deadlineMs - b.deadlineMs || (a.domainName < b.domainName ? -1 : 1));

  const windowMs = config.withinDays * 86_400_000;
  let planned = 0;
  return estimated.map((d): Decision => {
    const skip = (reason: SkipReason, taskNo?: string): Decision => ({ ...d, action: 'skip', reason, taskNo });
    if (matchesAny(d.domainName, config.exclude)) return skip('excluded');
    const allowed = config.allow ? matchesAny(d.domainName, config.allow) : run.mode === 'dry-run';
    if (!allowed || (run.requested && !run.requested.has(d.domainName))) return skip('not-allowed');
    const task = ledger.byDomain.get(d.domainName);
    if (task?.state === 'in-flight') return skip('task-in-flight', task.taskNo);
    if (task?.state === 'succeeded') return skip('already-redeemed', task.taskNo);
    if (d.msLeft > windowMs) return skip('outside-window');
    if (planned >= config.maxPerRun) return skip('cap-per-run');
    if (ledger.submittedLast24h + planned >= config.maxPerDay) return skip('cap-per-day');
    planned++;
    return { ...d, action: 'redeem', reason: run.mode === 'live' ? 'due' : 'dry-run' };
  });
}
