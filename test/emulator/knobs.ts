/**
 * The emulator's per-action knobs: a number for every action, or for some actions only, written as
 * "150" or "QueryDomainList=150,SaveSingleTaskForCreatingOrderRedeem=300" (a bare number is the default
 * for the actions not named), and the sliding one-second window behind a QPS limit.
 */

export interface ActionNumbers {
  /** For every action not named; undefined when the spec gives no bare number. */
  readonly all: number | undefined;
  readonly byAction: Readonly<Record<string, number>>;
}

const PART = /^(?:([A-Za-z][A-Za-z0-9]*)=)?(\d+(?:\.\d+)?)$/;

/** Parses a spec for --`option`; the message names the option and the part it cannot read. */
export function parseActionNumbers(spec: string, option: string, min: number, max: number): ActionNumbers {
  let all: number | undefined;
  const byAction: Record<string, number> = {};
  const parts = spec.split(',').map((part) => part.trim());
  if (parts.some((part) => part === '')) throw new Error(`--${option}: empty part in "${spec}"`);
  for (const part of parts) {
    const match = PART.exec(part);
    const value = Number(match?.[2]);
    if (!match || value < min || value > max) {
      throw new Error(`--${option}: cannot read "${part}"; expected a number from ${min} to ${max}, or Action=number, comma-separated`);
    }
    const action = match[1];
    if (action === undefined) {
      if (all !== undefined) throw new Error(`--${option}: more than one number for every action in "${spec}"`);
      all = value;
    } else {
      if (action in byAction) throw new Error(`--${option}: ${action} given twice`);
      byAction[action] = value;
    }
  }
  return { all, byAction };
}

/** Request times of the last second, for a QPS limit as the registrar's flow control applies it. */
export class SlidingWindow {
  private readonly times: number[] = [];
  private start = 0;

  /** Milliseconds until a request at `now` would fit under `limit`, or 0 when it fits now. */
  waitMs(now: number, limit: number): number {
    while (this.start < this.times.length && now - this.times[this.start]! >= 1_000) this.start++;
    if (this.start > 1_024 && this.start * 2 > this.times.length) {
      // Drop what has left the window now and then, so a long run keeps memory flat.
      this.times.splice(0, this.start);
      this.start = 0;
    }
    const inWindow = this.times.length - this.start;
    if (inWindow < limit) return 0;
    return Math.max(1, 1_000 - (now - this.times[this.times.length - limit]!));
  }

  add(now: number): void {
    this.times.push(now);
  }
}
