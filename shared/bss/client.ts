/**
 * BSS OpenAPI (2017-12-14, RPC, ACS3-signed): QueryAccountBalance, the one call the balance guard and
 * the doctor need, over the same RPC caller as the Domain API (signed afresh, bounded by the deadline,
 * reads retried by the same rules). An answer that cannot be read is an error, never a balance.
 */
import { PERMISSION_DENIED_CODES, RpcCaller, SUCCESS_CODES, type DomainApiOptions, type DomainSite } from '../domain-api/index.js';
import { BssApiError, BssForbiddenError } from './errors.js';
import { bssErrorBodySchema, queryAccountBalanceSchema } from './schemas.js';

const BSS_VERSION = '2017-12-14';

/** China site: business.aliyuncs.com; international site: business.ap-southeast-1.aliyuncs.com. */
export const BSS_ENDPOINTS: Readonly<Record<DomainSite, string>> = {
  cn: 'https://business.aliyuncs.com',
  intl: 'https://business.ap-southeast-1.aliyuncs.com',
};

/** The answer is a few hundred bytes; anything far larger is not a balance, and is not buffered. */
const MAX_BSS_BODY_BYTES = 64 * 1024;

/** The Domain API client's options, read for BSS: `site` picks the BSS endpoint, `endpoint` is BSS_ENDPOINT. */
type BssClientOptions = DomainApiOptions;

interface AccountBalance {
  /**
   * What can pay a domain order: Data.AvailableAmount (may be negative for an account in arrears) less
   * Data.MybankCreditAmount when that is above 0 (see `trustPay`).
   */
  readonly available: number;
  /**
   * Data.MybankCreditAmount when above 0, else 0. Domain orders cannot be paid with 信任付 (MYbank trust
   * pay), and the page does not say whether AvailableAmount (可用额度) counts it: taken off, the guard
   * never counts money that cannot pay the order (at worst it holds one the account could have paid, and
   * says why). Absent (answers of before the field) it is 0.
   */
  readonly trustPay: number;
  /** Data.Currency: CNY, USD or JPY; the prices are read in it. */
  readonly currency: string;
  readonly requestId: string | undefined;
}

const ACTION = 'QueryAccountBalance';

const toError = (fields: ConstructorParameters<typeof BssApiError>[0]) => (PERMISSION_DENIED_CODES.has(fields.code) ? new BssForbiddenError(fields) : new BssApiError(fields));

export class BssClient {
  private readonly rpc: RpcCaller;

  constructor(options: BssClientOptions) {
    this.rpc = new RpcCaller({
      ...options,
      endpoint: options.endpoint ?? BSS_ENDPOINTS[options.site ?? 'intl'],
      version: BSS_VERSION,
      endpointVariable: 'BSS_ENDPOINT',
      maxBodyBytes: MAX_BSS_BODY_BYTES,
      toError,
      // BSS may answer a refusal with HTTP 200: Success false, or an error Code and no Data. That is an
      // error with its own code (a missing permission named as such), never a balance nor a bad answer.
      errorIn200: (json, status) => {
        const body = bssErrorBodySchema().safeParse(json);
        if (!body.success) return undefined;
        const noData = (json as { Data?: unknown }).Data === undefined;
        const refused = body.data.Success === false || (body.data.Success === undefined && noData && !SUCCESS_CODES.has(body.data.Code));
        return refused
          ? toError({ action: ACTION, code: body.data.Code, message: body.data.Message ?? '', requestId: body.data.RequestId ?? undefined, httpStatus: status, retryAfterMs: undefined })
          : undefined;
      },
    });
  }

  get endpoint(): string {
    return this.rpc.endpoint;
  }

  /** HTTP attempts made, successful or not. */
  get calls(): number {
    return this.rpc.calls;
  }

  async queryAccountBalance(): Promise<AccountBalance> {
    const body = await this.rpc.read(ACTION, {}, queryAccountBalanceSchema());
    const mybank = body.Data.MybankCreditAmount;
    const trustPay = typeof mybank === 'number' ? Math.max(0, mybank) : 0;
    return { available: body.Data.AvailableAmount - trustPay, trustPay, currency: body.Data.Currency, requestId: body.RequestId };
  }
}
