/** Alibaba Cloud credentials. On Function Compute these are STS credentials and carry a token. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}
