/**
 * The Domain API and BSS clients of one set of credentials, the function's own or a member account's
 * assumed role, on the run's clock, deadline and token bucket.
 */
import { BssClient } from '../bss/index.js';
import type { Clock } from '../clock/index.js';
import type { RedeemerConfig } from '../config/index.js';
import { DomainApiClient } from '../domain-api/index.js';
import type { RateLimiter } from '../http/index.js';
import type { Credentials } from '../signing/index.js';
import type { RunPorts } from './engine.js';

export interface AccountClientBounds {
  readonly clock: Clock;
  readonly deadlineMs: number;
  /** The run's token bucket for the Domain API (BSS has its own, far higher, limits). */
  readonly limiter?: RateLimiter | undefined;
  /** Temporary credentials (an assumed role): no attempt is signed from then on; see RpcOptions.signUntilMs. */
  readonly signUntilMs?: number | undefined;
}

export function accountClients(
  config: Pick<RedeemerConfig, 'site' | 'domainEndpoint' | 'money'>,
  credentials: Credentials,
  { clock, deadlineMs, limiter, signUntilMs }: AccountClientBounds,
): { readonly api: DomainApiClient; readonly readBalance: RunPorts['readBalance'] } {
  const api = new DomainApiClient({ site: config.site, endpoint: config.domainEndpoint, credentials, signUntilMs, clock, deadlineMs, limiter });
  // Built only with a money setting: with none, BSS is never called.
  const bss = config.money.guard ? new BssClient({ site: config.site, endpoint: config.money.bssEndpoint, credentials, signUntilMs, clock, deadlineMs }) : undefined;
  return { api, readBalance: bss ? () => bss.queryAccountBalance() : undefined };
}
