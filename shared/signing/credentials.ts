/** Alibaba Cloud credentials. On Function Compute these are STS credentials and carry a token. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/** What may be shown of credentials in a message: the key id, never the secret or the token. */
export function describeCredentials(credentials: Credentials): string {
  return `access key ${credentials.accessKeyId}${credentials.securityToken ? ' (STS)' : ''}`;
}
