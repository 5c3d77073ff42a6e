/** ACS3-HMAC-SHA256 request signing, and the hashing and percent-encoding the other signers share. */
export { signAcs3, toPairs, type NameValuePairs, type NameValuePairsInput } from './acs3.js';
export { quotedForms, redact, redactDeep, withoutSecrets, withoutSecretsDeep, type Credentials } from './credentials.js';
export { hmacSha1Base64, sha256Hex } from './hash.js';
export { formatQuery, percentEncode } from './percent-encode.js';
export { webhookSignature } from './webhook.js';
