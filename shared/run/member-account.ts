/**
 * The Domain API and BSS of a member account, for an account run. The role there is assumed at the run's
 * first call, inside the run, so that a role that cannot be assumed fails the run like any other error
 * (its `kind: run` record says failed with STS's code, the notification says so, SLS gets it) and so that
 * the temporary credentials are bought on the run's own clock and deadline. They are asked for once and
 * live only as long as the run; the function's own credentials never reach the Domain API here.
 */
import { assumeAccount, type AssumedRole } from '../accounts/index.js';
import type { Clock } from '../clock/index.js';
import type { RateLimiter } from '../http/index.js';
import type { RedeemerConfig } from '../config/index.js';
import type { DomainApi } from '../domain-api/index.js';
import type { Credentials } from '../signing/index.js';
import { accountClients } from './account-clients.js';
import type { RunPorts } from './engine.js';
import type { MemberAccountRun } from './run.js';

interface MemberAccountPortsRequest {
  readonly config: Pick<RedeemerConfig, 'site' | 'domainEndpoint' | 'money'>;
  /** The function's own credentials: they assume the role, nothing else here. */
  readonly credentials: Credentials;
  readonly account: MemberAccountRun;
  readonly clock: Clock;
  readonly deadlineMs: number;
  /** The run's token bucket for the Domain API (the member account's calls count against it too). */
  readonly limiter?: RateLimiter | undefined;
}

export function memberAccountPorts(request: MemberAccountPortsRequest): Pick<RunPorts, 'api' | 'readBalance'> {
  const { config, clock, deadlineMs } = request;
  let assumed: Promise<AssumedRole> | undefined;
  let built: ReturnType<typeof accountClients> | undefined;
  const clients = async () => {
    assumed ??= assumeAccount(request.account.ref, { credentials: request.credentials, config: request.account.config, timeoutSeconds: request.account.timeoutSeconds, clock, deadlineMs });
    const { credentials } = await assumed;
    built ??= accountClients(config, credentials, { clock, deadlineMs, limiter: request.limiter });
    return built;
  };
  const api: DomainApi = {
    get calls() {
      return built?.api.calls ?? 0;
    },
    get callsByAction() {
      return built?.api.callsByAction ?? {};
    },
    queryDomainList: async (query) => (await clients()).api.queryDomainList(query),
    queryTaskList: async (query) => (await clients()).api.queryTaskList(query),
    queryTaskDetailList: async (query) => (await clients()).api.queryTaskDetailList(query),
    saveSingleTaskForCreatingOrderRedeem: async (order) => (await clients()).api.saveSingleTaskForCreatingOrderRedeem(order),
  };
  // As in the function's own account: with no money setting, BSS is never called.
  const readBalance = config.money.guard ? async () => (await clients()).readBalance!() : undefined;
  return { api, readBalance };
}
