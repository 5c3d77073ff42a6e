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
