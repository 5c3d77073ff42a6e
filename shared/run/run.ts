/**
 * One redemption run with the function's own clients: the signed Domain API client and SLS PutLogs, both
 * on the run's one clock and deadline. Credentials live only as long as this call.
 */
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock } from '../clock/index.js';
import { DomainApiClient } from '../domain-api/index.js';
import { createLogger, type Logger } from '../log/index.js';
import type { Credentials } from '../signing/index.js';
import { BssClient } from '../bss/index.js';
import { SlsClient } from '../sls/index.js';
import { executeRun, type EngineRequest, type RunSummary } from './engine.js';
import { toLogEntry } from './records.js';
import { timeBudget, workDeadline } from './time-budget.js';

export type { RunSummary } from './engine.js';

export interface RunRequest extends Omit<EngineRequest, 'runId' | 'clock' | 'logger'> {
  readonly credentials: Credentials;
  readonly runId?: string | undefined;
  readonly clock?: Clock | undefined;
  readonly logger?: Logger | undefined;
}

export const SLS_TOPIC = 'domain-redeemer';

export async function runRedemption(request: RunRequest): Promise<RunSummary> {
  const { config, credentials } = request;
  const clock = request.clock ?? systemClock;
  const deadlineMs = workDeadline(timeBudget(request.budgetMs, clock.now));
  const api = new DomainApiClient({ site: config.site, endpoint: config.domainEndpoint, credentials, clock, deadlineMs });
  // Built only with a money setting: with none, BSS is never called.
  const bss = config.money.guard ? new BssClient({ site: config.site, endpoint: config.money.bssEndpoint, credentials, clock, deadlineMs }) : undefined;
  const target = config.sls;
  const sls = target ? new SlsClient({ target, credentials, clock }) : undefined;
  return executeRun(
    { ...request, runId: request.runId ?? randomUUID(), clock, logger: request.logger ?? createLogger() },
    {
      api,
      readBalance: bss ? () => bss.queryAccountBalance() : undefined,
      deliver: sls
        ? (records, deadlineMs) => {
            const time = Math.floor(clock.now() / 1000);
            return sls.putLogs(records.map((record) => toLogEntry(record, time)), { topic: SLS_TOPIC, source: request.fcRequestId ?? 'local' }, deadlineMs);
          }
        : undefined,
    },
  );
}
