/**
 * Which transport failures prove that a request never reached the server: only those make a call that
 * must not happen twice (an order, an invocation, a chat message) safe to send again.
 */

/** The connection never opened: refused, no such host, no route. */
const NOT_SENT_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

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

export function certainlyNotSent(error: unknown): boolean {
  const code = systemErrorCode(error);
  return code !== undefined && NOT_SENT_CODES.has(code);
}
