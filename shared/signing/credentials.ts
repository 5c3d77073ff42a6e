/** Alibaba Cloud credentials. On Function Compute these are STS credentials and carry a token. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

/**
 * `text` with the security token and the access key secret replaced by ***. An error answer may quote
 * the request (a gateway or proxy repeating its headers), and its text travels on into records, stdout,
 * messages and the webhook's answer.
 */
export function withoutSecrets(text: string, credentials: Credentials): string {
  let out = text;
  for (const secret of [credentials.securityToken, credentials.accessKeySecret]) if (secret && secret.length >= 4) out = out.split(secret).join('***');
  return out;
}
