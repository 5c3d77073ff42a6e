/**
 * The Domain API and BSS of a member account, for an account run. The role there is assumed at the run's
 * first call, inside the run, so that a role that cannot be assumed fails the run like any other error
 * (its `kind: run` record says failed with STS's code, the notification says so, SLS gets it) and so that
 * the temporary credentials are bought on the run's own clock and deadline. They live only as long as the
 * run, and are bought again shortly before they expire: STS grants at most the role's MaxSessionDuration
 * (3600 s unless raised) while FC's timeout may be far longer. The function's own credentials never reach
 * the Domain API here.
 */
import { assumeAccount, type AssumedRole } from '../accounts/index.js';
import type { Clock } from '../clock/index.js';
import type { RateLimiter } from '../http/index.js';
import type { RedeemerConfig } from '../config/index.js';
import { SessionEndingError, type DomainApi } from '../domain-api/index.js';
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

/** A call signed with less than this left of the session could reach the service after its expiry. */
const RENEW_BEFORE_EXPIRY_MS = 60_000;
/**
 * No attempt is signed with less than this left of its session. A call begun with more than the margin
 * above may still wait until its end (a throttled retry waits up to a minute, several times over; a call
 * slot waits out a throttling pause): its next attempt is then not sent with the old session, which the
 * service would refuse (InvalidSecurityToken.Expired, an order lost to it), but signed again renewed. The
 * attempt's own timeout (10 s at most) fits inside it.
 */
const SIGN_BEFORE_EXPIRY_MS = 15_000;

export function memberAccountPorts(request: MemberAccountPortsRequest): Pick<RunPorts, 'api' | 'readBalance'> {
  const { config, clock, deadlineMs } = request;
  interface Session {
    readonly role: AssumedRole;
    readonly clients: ReturnType<typeof accountClients>;
    readonly assumedAtMs: number;
  }
  let pending: Promise<Session> | undefined;
  let current: Session | undefined;
  // Sessions renewed already (their calls still in flight count on): the run's counts cover them all.
  const retired: Session[] = [];
  const sessions = () => (current ? [...retired, current] : retired);
  /** The session in use ends: the next call assumes the role again (calls in flight together share it). */
  const retire = (session: Session) => {
    if (current !== session) return;
    retired.push(current);
    current = undefined;
    pending = undefined;
  };
  const session = async (): Promise<Session> => {
    // A session that came with no more than the margin (a clock apart from STS's) is not renewed on every call.
    if (current && current.role.expiresAt - clock.now() <= RENEW_BEFORE_EXPIRY_MS && clock.now() - current.assumedAtMs > RENEW_BEFORE_EXPIRY_MS) retire(current);
    if (!pending) {
      const asked: Promise<Session> = assumeAccount(request.account.ref, { credentials: request.credentials, config: request.account.config, timeoutSeconds: request.account.timeoutSeconds, clock, deadlineMs }).then(
        (role) =>
          (current = {
            role,
            clients: accountClients(config, role.credentials, { clock, deadlineMs, limiter: request.limiter, signUntilMs: role.expiresAt - SIGN_BEFORE_EXPIRY_MS }),
            assumedAtMs: clock.now(),
          }),
        (error: unknown) => {
          // The calls waiting on it fail with STS's refusal; the next call asks STS again. Kept, one refusal
          // (a passing 503 at a renewal) failed every later call of the run: the follow-ups of the orders it
          // placed, their reconciliation, the orders still to send.
          if (pending === asked) pending = undefined;
          throw error;
        },
      );
      pending = asked;
    }
    return pending;
  };
  /**
   * One call with the session's clients; a call its session ran out under (nothing sent with the old one,
   * SessionEndingError) is made once more, whole, with a renewed session: an order so is still sent at most
   * once, and within its own send-by time.
   */
  const call = async <T>(run: (clients: Session['clients']) => Promise<T>): Promise<T> => {
    const first = await session();
    try {
      return await run(first.clients);
    } catch (error) {
      if (!(error instanceof SessionEndingError)) throw error;
      retire(first);
      return run((await session()).clients);
    }
  };
  const api: DomainApi = {
    get calls() {
      return sessions().reduce((sum, session) => sum + session.clients.api.calls, 0);
    },
    get callsByAction() {
      const byAction: Record<string, number> = {};
      for (const session of sessions()) for (const [action, n] of Object.entries(session.clients.api.callsByAction)) byAction[action] = (byAction[action] ?? 0) + n;
      return byAction;
    },
    queryDomainList: (query) => call((clients) => clients.api.queryDomainList(query)),
    queryTaskList: (query) => call((clients) => clients.api.queryTaskList(query)),
    queryTaskDetailList: (query) => call((clients) => clients.api.queryTaskDetailList(query)),
    saveSingleTaskForCreatingOrderRedeem: (order) => call((clients) => clients.api.saveSingleTaskForCreatingOrderRedeem(order)),
  };
  // As in the function's own account: with no money setting, BSS is never called.
  const readBalance = config.money.guard ? () => call((clients) => clients.readBalance!()) : undefined;
  return { api, readBalance };
}
