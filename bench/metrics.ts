/**
 * What a run could at best have done, from what the Domain API allows, not from how the function is
 * built: the fewest calls (the minimum) and the shortest wall time (the bound). Pure functions of the
 * work a case holds, so the numbers can be checked by hand (test/bench/metrics.test.ts).
 */

/** Items per page the minimum counts for QueryDomainList and QueryTaskList (the page size the function uses; no larger one is documented). */
export const PAGE_SIZE = 100;

export const ACTIONS = {
  list: 'QueryDomainList',
  tasks: 'QueryTaskList',
  detail: 'QueryTaskDetailList',
  submit: 'SaveSingleTaskForCreatingOrderRedeem',
} as const;

/** The work of one run, as the emulator held it when the run started and as the run decided it. */
export interface Work {
  /** Domains the registrar lists in redemption (QueryType=2). */
  readonly inRedemption: number;
  /** Domains on the renewal list (QueryType=1), when the run reads it (for the notification); undefined when it does not. */
  readonly renewals?: number | undefined;
  /** Redeem tasks in the ledger window (7 days) when the run starts. */
  readonly ledgerTasks: number;
  /** Ledger tasks that decide a listed domain (the run skipped it as task-in-flight or already-redeemed). */
  readonly decisiveTasks: number;
  /** Domains the run set out to order (decisions with action redeem). */
  readonly orders: number;
  /** Orders whose task reached a final state (succeeded, or failed at the registry) during the run. */
  readonly confirmed: number;
}

export interface Minimum {
  readonly listPages: number;
  readonly ledgerPages: number;
  readonly decisiveDetails: number;
  readonly submissions: number;
  readonly outcomeDetails: number;
  readonly total: number;
}

const pages = (items: number) => Math.ceil(items / PAGE_SIZE);

/**
 * The fewest calls the API allows for this work:
 * - list pages: the redemption list, 100 a page, at least one (an empty list is learnt by asking), and
 *   the renewal list likewise when the run reads it (it tells a person what to renew);
 * - ledger pages: QueryTaskList over the window, 100 a page, at least one;
 * - decisive details: one QueryTaskDetailList per ledger task that changes a decision (TaskInfo has no
 *   domain name, so only a detail can tie a task to a domain); tasks of domains no longer listed, or
 *   that decide nothing, need none;
 * - one submission per order (batch orders are out of scope);
 * - follow-up: one QueryTaskDetailList per confirmed order, because TaskInfo (QueryTaskList) says only
 *   COMPLETE, not whether the task succeeded. Pages of QueryTaskList that say which tasks finished are
 *   not in the minimum: a run that looks once, when every task is already final, needs none (the serial
 *   engine does exactly that when tasks take 300 ms), and an order still open when the run stops needs
 *   no call at all (its record says `submitted`). They are the price of not knowing when tasks finish,
 *   and show in calls ÷ minimum. (PollTaskResult might return finished details 1 000 a page, but whether
 *   it needs a TaskNo is undocumented and the emulator does not play it: not counted.)
 */
export function minimumCalls(work: Work): Minimum {
  const listPages = Math.max(1, pages(work.inRedemption)) + (work.renewals === undefined ? 0 : Math.max(1, pages(work.renewals)));
  const ledgerPages = Math.max(1, pages(work.ledgerTasks));
  const decisiveDetails = work.decisiveTasks;
  const submissions = work.orders;
  const outcomeDetails = work.confirmed;
  return { listPages, ledgerPages, decisiveDetails, submissions, outcomeDetails, total: listPages + ledgerPages + decisiveDetails + submissions + outcomeDetails };
}

/**
 * The longest chain of calls each of which needs the answer of the one before, as action names.
 * Discovery (QueryDomainList page 1, which tells the page count, then every other page at once) and the
 * ledger (QueryTaskList page 1, then the other pages, then the decisive details) can run side by side;
 * planning needs both, then every submission can go at once, then (once the registrar has finished) the
 * details of the confirmed orders, all at once. Steps that have no calls are left out.
 */
export function dependencyChain(work: Work, latencyOf: (action: string) => number): string[] {
  const m = minimumCalls(work);
  const discovery = [ACTIONS.list, ...(m.listPages > 1 ? [ACTIONS.list] : [])];
  const ledger = [ACTIONS.tasks, ...(m.ledgerPages > 1 ? [ACTIONS.tasks] : []), ...(m.decisiveDetails > 0 ? [ACTIONS.detail] : [])];
  const cost = (chain: readonly string[]) => chain.reduce((sum, action) => sum + latencyOf(action), 0);
  const before = cost(ledger) > cost(discovery) ? ledger : discovery;
  const submit = m.submissions > 0 ? [ACTIONS.submit] : [];
  const follow = m.outcomeDetails > 0 ? [ACTIONS.detail] : [];
  return [...before, ...submit, ...follow];
}

/** QPS limits that apply to a run: the registrar's for the account and per action, and the run's own. */
export interface QpsLimits {
  readonly all?: number | undefined;
  readonly byAction?: Readonly<Record<string, number>> | undefined;
}

export interface Bound {
  /** The dependency chain, each step at its action's latency. */
  readonly chainMs: number;
  /** The registrar's own processing of a task, which no client can shorten, when tasks finished in the run. */
  readonly taskMs: number;
  /** Accepted calls ÷ QPS for every limit that applies (the tightest of them). */
  readonly qpsMs: number;
  /** The larger of chain + task time and calls ÷ QPS. */
  readonly totalMs: number;
  readonly chain: readonly string[];
}

/**
 * The shortest wall time the run could have had: calls ÷ QPS where a QPS limit applies, otherwise the
 * longest chain of dependent calls × latency, plus the registrar's task time when the run waited for
 * outcomes. Both are lower bounds, so the bound is the larger. The calls are those the run really made
 * and the registrar accepted: a throttled attempt does not count against a limit. (A per-second window
 * lets the first QPS calls go at once, so a bursty run may end up to one second under calls ÷ QPS.)
 */
export function boundMs(
  work: Work,
  made: { readonly calls: number; readonly callsByAction: Readonly<Record<string, number>> },
  latencyOf: (action: string) => number,
  registrarTaskMs: number,
  limits: readonly QpsLimits[] = [],
): Bound {
  const chain = dependencyChain(work, latencyOf);
  const chainMs = chain.reduce((sum, action) => sum + latencyOf(action), 0);
  const taskMs = work.confirmed > 0 ? registrarTaskMs : 0;
  let qpsMs = 0;
  for (const limit of limits) {
    if (limit.all) qpsMs = Math.max(qpsMs, (made.calls / limit.all) * 1_000);
    for (const [action, qps] of Object.entries(limit.byAction ?? {})) qpsMs = Math.max(qpsMs, ((made.callsByAction[action] ?? 0) / qps) * 1_000);
  }
  return { chainMs, taskMs, qpsMs, totalMs: Math.max(chainMs + taskMs, qpsMs), chain };
}

/** A ratio to two decimals; undefined when the denominator is 0 (nothing to compare with). */
export function ratio(numerator: number, denominator: number): number | undefined {
  return denominator > 0 ? Math.round((numerator / denominator) * 100) / 100 : undefined;
}
