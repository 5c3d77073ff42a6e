/**
 * The scale cases of `npm run bench`: what a user meets, from the performance review of issue 12.
 * Every case is a live run with the caps lifted, about 5 % of the portfolio in redemption, in a fresh
 * process against an emulator in another process. `groups` picks the runs: `quick` for --quick (under a
 * minute), `default` for a plain run (a few minutes on 2 cores), `big` only with --big or --case.
 */

export type Group = 'quick' | 'default' | 'big';

export interface Latency {
  /** For every request. */
  readonly all: number;
  readonly byAction?: Readonly<Record<string, number>>;
}

export interface BenchCase {
  readonly name: string;
  readonly title: string;
  /** The runs that include the case by default: --quick, a plain run, --big. */
  readonly groups: readonly Group[];
  readonly domains: number;
  readonly latency: Latency;
  /** How long the registrar takes over a task: waiting, then executing. */
  readonly task: { readonly waitingMs: number; readonly executingMs: number };
  /** The function's timeout (the run's budget is this less a reserve). */
  readonly timeoutSeconds: number;
  /** The registrar's QPS limit for the account, and per action. */
  readonly qps?: number | undefined;
  readonly qpsByAction?: Readonly<Record<string, number>> | undefined;
  /**
   * The next day: the emulator starts with a week of finished orders for every domain this run would
   * order (found by a dry run on a twin emulator), so there is nothing left to order.
   */
  readonly secondDay?: boolean | undefined;
  readonly redemptionShare?: number | undefined;
  readonly seed?: number | undefined;
}

const FAST_TASKS = { waitingMs: 100, executingMs: 200 };
const TEN_MINUTE_TASKS = { waitingMs: 120_000, executingMs: 480_000 };
const FC_MAX = 900;

const label = (domains: number) => (domains >= 1_000 ? `${domains / 1_000}k` : String(domains));
const count = (domains: number) => domains.toLocaleString('en-US');

function latencyCase(domains: number, ms: number, ...groups: Group[]): BenchCase {
  return { name: `latency${ms}-${label(domains)}`, title: `${count(domains)} domains, ${ms} ms a call, tasks finish in 300 ms`, groups, domains, latency: { all: ms }, task: FAST_TASKS, timeoutSeconds: FC_MAX };
}

function qpsCase(domains: number, qps: number, ...groups: Group[]): BenchCase {
  return { name: `qps${qps}-${label(domains)}`, title: `${count(domains)} domains, registrar limit ${qps} QPS, 20 ms a call`, groups, domains, latency: { all: 20 }, task: FAST_TASKS, timeoutSeconds: FC_MAX, qps };
}

function secondDayCase(domains: number, ...groups: Group[]): BenchCase {
  const title = `the next day, ${count(domains)} domains, a full week of orders in the ledger, nothing to order, 20 ms a call`;
  return { name: `second-day-${label(domains)}`, title, groups, domains, latency: { all: 20 }, task: FAST_TASKS, timeoutSeconds: FC_MAX, secondDay: true };
}

function slowTasksCase(domains: number, timeoutSeconds: number, ...groups: Group[]): BenchCase {
  const title = `${count(domains)} domains, tasks take 10 minutes, ${timeoutSeconds} s function, 20 ms a call`;
  return { name: `slow-tasks-${label(domains)}-${timeoutSeconds}s`, title, groups, domains, latency: { all: 20 }, task: TEN_MINUTE_TASKS, timeoutSeconds };
}

export const CASES: readonly BenchCase[] = [
  latencyCase(1_000, 20, 'quick'),
  latencyCase(500, 150, 'quick'),
  secondDayCase(1_000, 'quick'),
  slowTasksCase(1_000, 20, 'quick'),
  qpsCase(1_000, 50, 'quick'),
  qpsCase(1_000, 10, 'quick', 'default'),

  latencyCase(10_000, 20, 'default'),
  latencyCase(10_000, 150, 'default'),
  secondDayCase(10_000, 'default'),
  slowTasksCase(10_000, 120, 'default'),
  qpsCase(10_000, 50, 'default'),

  latencyCase(100_000, 20, 'big'),
  latencyCase(100_000, 150, 'big'),
  qpsCase(10_000, 10, 'big'),
];

/** The cases a run picks: --case names (comma-separated, any group), else the group's, plus the big ones with --big. */
export function selectCases(options: { quick: boolean; big: boolean; names?: readonly string[] | undefined }): BenchCase[] {
  if (options.names && options.names.length > 0) {
    const unknown = options.names.filter((name) => !CASES.some((c) => c.name === name));
    if (unknown.length > 0) throw new Error(`--case: unknown ${unknown.join(', ')}; the cases are ${CASES.map((c) => c.name).join(', ')}`);
    return CASES.filter((c) => options.names!.includes(c.name));
  }
  const picked = CASES.filter((c) => c.groups.includes(options.quick ? 'quick' : 'default'));
  return [...picked, ...(options.big ? CASES.filter((c) => c.groups.includes('big') && !picked.includes(c)) : [])];
}

/** The emulator's --latency-ms spec for a latency. */
export function latencySpec(latency: Latency): string {
  return [String(latency.all), ...Object.entries(latency.byAction ?? {}).map(([action, ms]) => `${action}=${ms}`)].join(',');
}

export function latencyOf(latency: Latency): (action: string) => number {
  return (action) => latency.byAction?.[action] ?? latency.all;
}
