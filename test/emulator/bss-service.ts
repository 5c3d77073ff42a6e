/**
 * BSS OpenAPI 2017-12-14 as the emulator plays it: QueryAccountBalance with a configurable balance and
 * currency, in the real answer's shape (every amount a string; Code "200", Success true).
 */
import type { RpcProduct } from './server.js';
import type { ApiAnswer } from './domain-service.js';

export const BSS_HOST_ID = 'business.aliyuncs.com';

export interface BssOptions {
  /** A number is sent as "1000.00"; a string is sent as it is (e.g. "1,000.00", to test the parser). */
  readonly balance?: number | string;
  readonly currency?: string;
}

export class BssService implements RpcProduct {
  balance: number | string;
  currency: string;
  /** The balance queries answered, for tests of "the guard off never calls BSS". */
  queries = 0;

  constructor(options: BssOptions = {}) {
    this.balance = options.balance ?? 1000;
    this.currency = options.currency ?? 'CNY';
  }

  handle(action: string, _params: ReadonlyMap<string, string>, requestId: string): ApiAnswer {
    if (action !== 'QueryAccountBalance') {
      return {
        status: 404,
        body: { RequestId: requestId, HostId: BSS_HOST_ID, Code: 'InvalidApi.NotFound', Message: `Specified api is not found, please check your url and method: ${action}` },
      };
    }
    this.queries++;
    const amount = typeof this.balance === 'number' ? this.balance.toFixed(2) : this.balance;
    return {
      status: 200,
      body: {
        RequestId: requestId,
        Code: '200',
        Message: 'Successful!',
        Success: true,
        Data: {
          AvailableAmount: amount,
          AvailableCashAmount: amount,
          CreditAmount: '0.00',
          MybankCreditAmount: '0.00',
          QuotaLimit: '0.00',
          Currency: this.currency,
        },
      },
    };
  }
}
