/**
 * The emulator's accounts: the one the base access keys belong to (the function's own, and the
 * Resource Directory's management account), the member accounts each with its own portfolio, and the
 * temporary keys STS hands out, each bound to one account. The Domain API answers from the portfolio of
 * the caller's account, so a domain in account A is invisible with account B's credentials.
 */
import { randomBytes } from 'node:crypto';
import { DomainService, type TaskTiming } from './domain-service.js';
import { generatePortfolio } from './portfolio.js';
import type { VerifyFailure } from './verify-acs3.js';

/** The FC context sample's account id (test/fixtures/fc-events/context.json). */
export const DEFAULT_ACCOUNT_ID = '1234567890123456';
export const DEFAULT_ROLE_NAME = 'domain-redeemer';

export interface EmulatedAccountOptions {
  readonly id: string;
  readonly displayName?: string;
  /** Portfolio size (default 40) and seed (default: from the id). */
  readonly domains?: number;
  readonly seed?: number;
  readonly redemptionShare?: number;
  /** Roles that exist in the account; default ["domain-redeemer"]. An empty list: none can be assumed. */
  readonly roles?: readonly string[];
  /** When set, AssumeRole into this account must pass this ExternalId (the role's trust policy). */
  readonly externalId?: string;
}

export interface EmulatedAccount {
  readonly id: string;
  readonly displayName: string;
  readonly domain: DomainService;
  /** Lower case: RAM role names are not case-sensitive. */
  readonly roles: ReadonlySet<string>;
  readonly externalId: string | undefined;
  readonly type: 'CloudAccount' | 'ResourceAccount';
}

export interface TemporaryKey {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  readonly accountId: string;
  readonly roleArn: string;
  readonly expiresAt: number;
}

function fail(code: string, message: string): VerifyFailure {
  return { ok: false, status: 400, code, message };
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export class AccountDirectory {
  /** Management account first, then the members in the order given. */
  readonly accounts = new Map<string, EmulatedAccount>();
  readonly temporaryKeys = new Map<string, TemporaryKey>();

  constructor(
    readonly managementId: string,
    managementDomain: DomainService,
    /** The verifier's secrets: a temporary key is added here, so that calls signed with it verify. */
    private readonly secrets: Map<string, string>,
    private readonly timing: TaskTiming,
    private readonly now: () => number,
  ) {
    this.accounts.set(managementId, {
      id: managementId,
      displayName: 'management',
      domain: managementDomain,
      roles: new Set([DEFAULT_ROLE_NAME]),
      externalId: undefined,
      type: 'CloudAccount',
    });
  }

  add(options: EmulatedAccountOptions): EmulatedAccount {
    if (this.accounts.has(options.id)) throw new Error(`account ${options.id} given twice`);
    const label = `m${options.id.slice(-4)}`;
    // Names carry the account's label, so that the same generated name never sits in two accounts.
    const domains = generatePortfolio({
      count: options.domains ?? 40,
      seed: options.seed ?? Number(options.id.slice(-6)),
      redemptionShare: options.redemptionShare ?? 0.4,
      now: this.now(),
    }).map((d) => ({ ...d, domainName: `${label}-${d.domainName}`, instanceId: `${d.instanceId}${label}` }));
    const account: EmulatedAccount = {
      id: options.id,
      displayName: options.displayName ?? `member ${label}`,
      domain: new DomainService(domains, this.timing, this.now),
      roles: new Set((options.roles ?? [DEFAULT_ROLE_NAME]).map((r) => r.toLowerCase())),
      externalId: options.externalId,
      type: 'ResourceAccount',
    };
    this.accounts.set(account.id, account);
    return account;
  }

  get(id: string): EmulatedAccount {
    const account = this.accounts.get(id);
    if (!account) throw new Error(`no account ${id}`);
    return account;
  }

  /** A temporary key's own account; any other key belongs to the management account. */
  accountOf(accessKeyId: string): EmulatedAccount {
    return this.get(this.temporaryKeys.get(accessKeyId)?.accountId ?? this.managementId);
  }

  /** The portfolio a Domain API call signed with `accessKeyId` sees. */
  domainFor(accessKeyId: string): DomainService {
    return this.accountOf(accessKeyId).domain;
  }

  issue(accountId: string, roleArn: string, durationSeconds: number): TemporaryKey {
    const key: TemporaryKey = {
      accessKeyId: `STS.${token(18)}`,
      accessKeySecret: token(30),
      // Real tokens run to several hundred characters: long enough to catch a length limit.
      securityToken: `CAIS${token(360)}`,
      accountId,
      roleArn,
      expiresAt: this.now() + durationSeconds * 1000,
    };
    this.temporaryKeys.set(key.accessKeyId, key);
    this.secrets.set(key.accessKeyId, key.accessKeySecret);
    return key;
  }

  /** The verifier's session check: a temporary key is good only with its own, unexpired token. */
  checkSession(accessKeyId: string, securityToken: string | undefined): VerifyFailure | undefined {
    const key = this.temporaryKeys.get(accessKeyId);
    if (!key) return undefined;
    if (!securityToken) return fail('MissingSecurityToken', 'SecurityToken is mandatory for this action.');
    if (securityToken !== key.securityToken) return fail('InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.');
    if (this.now() >= key.expiresAt) return fail('InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
    return undefined;
  }
}
