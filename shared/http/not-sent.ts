/**
 * Which transport failures prove that a request never reached the server: only those make a call that
 * must not happen twice (an order, an invocation, a chat message) safe to send again.
 */

/** The connection never opened: refused, no such host, no route. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Node's codes for a server certificate this machine refused (the X.509 verify codes: DEPTH_ZERO_SELF_SIGNED_CERT,
 * CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE…, and ERR_TLS_CERT_ALTNAME_INVALID): the client checks the
 * certificate before it writes a byte of what it queued, so the request never left. Not the server's TLS
 * alerts (ERR_SSL_…_BAD_CERTIFICATE): under TLS 1.3 one may come after the request was written.
 */
const REFUSED_CERTIFICATE_CODE = /^(?:ERR_TLS_CERT_ALTNAME_INVALID|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|CERT_[A-Z_]+|UNABLE_TO_(?:GET|VERIFY|DECRYPT|DECODE)_[A-Z_]+|ERROR_IN_CERT_NOT_(?:BEFORE|AFTER)_FIELD|HOSTNAME_MISMATCH|INVALID_CA|INVALID_PURPOSE|PATH_LENGTH_EXCEEDED)$/;

/** The system error code of a transport failure (ECONNRESET…), looked for along its causes. */
export function systemErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The code of a server certificate this machine refused, when that is why the exchange failed. */
export function refusedCertificateCode(error: unknown): string | undefined {
  const code = systemErrorCode(error);
  return code !== undefined && REFUSED_CERTIFICATE_CODE.test(code) ? code : undefined;
}

export function certainlyNotSent(error: unknown): boolean {
  const code = systemErrorCode(error);
  return code !== undefined && (NOT_SENT_CODES.has(code) || refusedCertificateCode(error) !== undefined);
}

/** What a person reads of a refused certificate: `whose` certificate ("the robot's"), and what to `check`. */
export function refusedCertificateWords(code: string, whose: string, check: string): string {
  // A certificate "not yet valid" or "expired" is most often this machine's clock, days off.
  const clock = code === 'CERT_NOT_YET_VALID' || code === 'CERT_HAS_EXPIRED' ? ", or this machine's clock" : '';
  return `this machine refused ${whose} TLS certificate, so nothing was sent → check ${check} (a proxy that intercepts HTTPS in between?)${clock}`;
}
