/**
 * ResourceManager ListAccounts (2020-03-31): the Resource Directory's accounts, management account
 * first, in pages (PageNumber from 1, PageSize 1 to 100, default 10), with the response shape of the
 * official SDK's ListAccountsResponseBody. Only the management account may call it; the error code the
 * real service gives other callers is not published, so NoPermission here is the emulator's choice.
 */
import type { AccountDirectory } from './accounts.js';
import { errorBody, type ApiAnswer } from './domain-service.js';
import type { RpcProduct } from './server.js';

export const RESOURCE_MANAGER_VERSION = '2020-03-31';
const DIRECTORY_ID = 'rd-emulator';

export class ResourceManagerService implements RpcProduct {
  constructor(
    private readonly directory: AccountDirectory,
    private readonly now: () => number,
  ) {}

  handle(action: string, params: ReadonlyMap<string, string>, requestId: string, caller: { readonly accessKeyId: string }): ApiAnswer {
    if (action !== 'ListAccounts') return { status: 404, body: errorBody(requestId, 'InvalidAction.NotFound', `Specified api is not found, please check your url and method: ${action}`) };
    if (this.directory.accountOf(caller.accessKeyId).id !== this.directory.managementId) {
      return { status: 403, body: errorBody(requestId, 'NoPermission', 'Only the management account or a delegated administrator of the resource directory may call this operation.') };
    }
    const pageNumber = Number(params.get('PageNumber') ?? '1');
    const pageSize = Number(params.get('PageSize') ?? '10');
    if (!Number.isInteger(pageNumber) || pageNumber < 1) return { status: 400, body: errorBody(requestId, 'InvalidParameter.PageNumber', 'The specified PageNumber is invalid.') };
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) return { status: 400, body: errorBody(requestId, 'InvalidParameter.PageSize', 'The specified PageSize is invalid.') };
    const all = [...this.directory.accounts.values()];
    const joined = new Date(this.now() - 90 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    return {
      status: 200,
      body: {
        RequestId: requestId,
        PageNumber: pageNumber,
        PageSize: pageSize,
        TotalCount: all.length,
        Accounts: {
          Account: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize).map((account) => ({
            AccountId: account.id,
            DisplayName: account.displayName,
            FolderId: 'fd-emulator',
            JoinMethod: account.type === 'CloudAccount' ? 'invited' : 'created',
            JoinTime: joined,
            ModifyTime: joined,
            ResourceDirectoryId: DIRECTORY_ID,
            ResourceDirectoryPath: `${DIRECTORY_ID}/r-root/fd-emulator/${account.id}`,
            Status: 'CreateSuccess',
            Type: account.type,
          })),
        },
      },
    };
  }
}
