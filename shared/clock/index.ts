/**
 * The one clock of a run: the signer's x-acs-date, SLS's Date header, retry waits, the time budget and the
 * records all read it, so a test that injects it controls every timestamp (as smithy's signingDate does).
 */
export interface Clock {
  /** Epoch milliseconds. */
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** In [0, 1): backoff jitter. */
  readonly random: () => number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** A time as a person reads it in a message, "2026-12-01 09:07 UTC"; a number no Date can hold is "an unknown time". */
export function minuteUtc(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'an unknown time';
}
