/** Three-account emulator set-ups and the official multi-account SDK clients, for the accounts tests. */
import * as fcModule from '@alicloud/fc20230330';
import * as stsModule from '@alicloud/sts20150401';
import type { EmulatedAccountOptions } from '../emulator/accounts.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_ROLE_NAME } from '../emulator/accounts.js';
import type { Emulator } from '../emulator/server.js';
import { EMULATOR_CREDENTIALS } from './emulator.js';

export { DEFAULT_ACCOUNT_ID, DEFAULT_ROLE_NAME };

/** Two members with the role, and a third in which it was never created. */
export const MEMBERS: readonly EmulatedAccountOptions[] = [
  { id: '2000000000000001', domains: 40, seed: 21 },
  { id: '2000000000000002', domains: 40, seed: 22 },
  { id: '2000000000000003', domains: 40, seed: 23, roles: [] },
];

export function roleArnOf(accountId: string, roleName = DEFAULT_ROLE_NAME): string {
  return `acs:ram::${accountId}:role/${roleName}`;
}

// CommonJS with an ES-module-style default export: the class sits at `.default` or `.default.default`.
function classFrom(module: unknown, has: string): any {
  const loaded = module as { default?: { default?: unknown } };
  return [loaded.default?.default, loaded.default, loaded].find((c) => typeof c === 'function' && has in (c as { prototype: object }).prototype);
}
function namespace(module: unknown, name: string): any {
  const loaded = module as Record<string, unknown> & { default?: Record<string, unknown> };
  return typeof loaded[name] === 'function' ? loaded : loaded.default;
}

export const StsClient = classFrom(stsModule, 'assumeRole');
export const FcClient = classFrom(fcModule, 'invokeFunction');
export const sts: any = namespace(stsModule, 'AssumeRoleRequest');
export const fc: any = namespace(fcModule, 'InvokeFunctionRequest');

export interface PlainCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/**
 * An official client's config pointed at the emulator over plain HTTP. A plain object: the client reads
 * its fields, and @alicloud/openapi-core (which holds the Config class) is not a dependency of ours.
 */
export function officialConfig(emulator: Emulator, credentials: PlainCredentials = EMULATOR_CREDENTIALS) {
  return {
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    securityToken: credentials.securityToken,
    endpoint: emulator.url.replace('http://', ''),
    protocol: 'HTTP',
  };
}
