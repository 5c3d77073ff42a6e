/** Concurrency trials: N runs started together against one emulator, and what the emulator holds afterwards. */
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS, startEmulator } from '../support/emulator.js';
import { FC_CREDENTIALS } from '../support/fc.js';
import { disjointSets, dueDomains, ordersPerDomain, submitCalls } from './portfolio.js';

export const CAP_PER_DAY = 3;

/** Trials per configuration: a few by default (the suite has a time budget), more with SAFETY_TRIALS=n. */
export function trialCount(fallback: number): number {
  const asked = Number(process.env.SAFETY_TRIALS);
  return Number.isInteger(asked) && asked > 0 ? asked : fallback;
}

export type SetShape = 'disjoint' | 'identical';

/** What one run reported about itself. */
export interface RunReport {
  readonly failedDecisions: number;
  readonly runFailed: boolean;
  readonly exitCode?: number | null;
  /** The reasons of its decisions for the domains it asked for, e.g. cap-per-day, task-in-flight. */
  readonly reasons: readonly string[];
}

export interface TrialResult {
  readonly orders: number;
  readonly maxPerDomain: number;
  /** SaveSingleTaskForCreatingOrderRedeem calls that reached the emulator, and those it refused. */
  readonly submits: number;
  readonly refused: number;
  readonly runs: readonly RunReport[];
}

/** A fresh emulator for one trial: 60 domains (19 due), fast tasks, the emulator's key and the FC role's key. */
export function trialEmulator(taskTiming = { waitingMs: 30, executingMs: 30 }): Promise<Emulator> {
  return startEmulator({
    domains: 60,
    seed: 1,
    redemptionShare: 0.4,
    taskTiming,
    accessKeys: { [EMULATOR_CREDENTIALS.accessKeyId]: EMULATOR_CREDENTIALS.accessKeySecret, [FC_CREDENTIALS.accessKeyId]: FC_CREDENTIALS.accessKeySecret },
  });
}

/** The --domains sets: disjoint (each could use the whole cap alone) or one set for every run. */
export function domainSets(e: Emulator, runs: number, shape: SetShape): string[][] {
  const due = dueDomains(e);
  return shape === 'disjoint' ? disjointSets(due, runs, 3) : Array.from({ length: runs }, () => due.slice(0, 5));
}

export async function trial(
  runs: number,
  shape: SetShape,
  start: (e: Emulator, sets: string[][]) => Promise<RunReport[]>,
  taskTiming?: { waitingMs: number; executingMs: number },
): Promise<TrialResult> {
  const e = await trialEmulator(taskTiming);
  try {
    const reports = await start(e, domainSets(e, runs, shape));
    const calls = submitCalls(e);
    return { orders: e.domain.tasks.length, maxPerDomain: Math.max(0, ...ordersPerDomain(e).values()), submits: calls.total, refused: calls.refused, runs: reports };
  } finally {
    await e.close();
  }
}

/** One line of figures for the report: orders per trial, duplicate submits, and what the runs recorded. */
export function figures(label: string, results: readonly TrialResult[]): string {
  const orders = results.map((r) => r.orders);
  const overCap = results.filter((r) => r.orders > CAP_PER_DAY).length;
  const reasons = new Map<string, number>();
  for (const r of results) for (const run of r.runs) for (const reason of run.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
  return (
    `[safety] ${label}: ${results.length} trials, cap ${CAP_PER_DAY}/day, orders per trial [${orders.join(',')}], ` +
    `over the cap in ${overCap}, max orders for one domain ${Math.max(...results.map((r) => r.maxPerDomain))}, ` +
    `duplicate submits refused by the registrar [${results.map((r) => r.refused).join(',')}], ` +
    `failed decisions ${results.reduce((n, r) => n + r.runs.reduce((m, run) => m + run.failedDecisions, 0), 0)}, ` +
    `reasons ${JSON.stringify(Object.fromEntries(reasons))}`
  );
}
