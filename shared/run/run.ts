/**
 * One redemption run with the function's own clients: the signed Domain API client and SLS PutLogs.
 * Credentials live only as long as this call.
 */
import { DomainApiClient } from '../domain-api/index.js';
import { realRuntime } from '../http/index.js';
import type { Credentials } from '../signing/index.js';
import { SlsClient } from '../sls/index.js';
import { executeRun, type EngineRequest, type RunSummary } from './engine.js';
import { toLogEntry } from './records.js';

export type { RunSummary } from './engine.js';

export interface RunRequest extends EngineRequest {
  readonly credentials: Credentials;
}

export async function runRedemption(request: RunRequest): Promise<RunSummary> {
  const { config, credentials } = request;
  const runtime = request.runtime ?? realRuntime;
  const api = new DomainApiClient({
    site: config.site,
    endpoint: config.domainEndpoint,
    credentials,
    runtime,
    // Reads may not outlive the part of the budget that submissions need.
    retry: { budgetMs: Math.max(1_000, Math.min(30_000, request.budgetMs * 0.2)) },
  });
  const target = config.sls;
  const sls = target ? new SlsClient({ target, credentials, runtime }) : undefined;
  return executeRun(request, {
    api,
    deliver: sls
      ? (records) => {
          const time = Math.floor(runtime.now() / 1000);
          return sls.putLogs(records.map((record) => toLogEntry(record, time)), { topic: 'domain-redeemer', source: request.fcRequestId ?? 'local' });
        }
      : undefined,
  });
}
