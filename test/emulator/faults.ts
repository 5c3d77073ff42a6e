/**
 * Fault injection. A rule names a kind, optionally the action it hits, and either how many requests it
 * hits or the probability per request. Spec string (for --faults): comma-separated
 *   kind[@Action][*count][%probability][+retryAfterMs]
 * e.g. "throttle@QueryDomainList*3+500,5xx-after@SaveSingleTaskForCreatingOrderRedeem*1,busy%0.1".
 */
export const FAULT_KINDS = [
  'throttle', // 400 Throttling with x-acs-retry-after, before processing
  '5xx', // 503 ServiceUnavailable, before processing
  '5xx-after', // the request takes effect, then 500 InternalError
  'network-io', // 400 NetworkIOError, before processing
  'busy', // 400 TaskIsBeingProcessed, before processing
  'reset', // the connection is dropped before processing
  'reset-after', // the request takes effect, then the connection is dropped
  'malformed', // 200 with a body that is not JSON
  'task-fail', // the next redeem task ends in EXECUTE_FAILURE
  'sls-down', // SLS answers 503 ServerBusy
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  action?: string | undefined;
  /** Requests left to hit; undefined means no limit (use with probability). */
  count?: number | undefined;
  probability?: number | undefined;
  retryAfterMs?: number | undefined;
}

const RULE = /^([a-z0-9-]+)(?:@([A-Za-z]+))?(?:\*(\d+))?(?:%(0(?:\.\d+)?|1(?:\.0+)?))?(?:\+(\d+))?$/;

export function parseFaultSpec(spec: string): FaultRule[] {
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const match = RULE.exec(part);
      if (!match || !(FAULT_KINDS as readonly string[]).includes(match[1]!)) {
        throw new Error(`--faults: cannot read "${part}"; expected kind[@Action][*count][%probability][+retryAfterMs] with kind one of ${FAULT_KINDS.join(', ')}`);
      }
      const [, kind, action, count, probability, retryAfter] = match;
      return {
        kind: kind as FaultKind,
        action,
        count: count === undefined ? (probability === undefined ? 1 : undefined) : Number(count),
        probability: probability === undefined ? undefined : Number(probability),
        retryAfterMs: retryAfter === undefined ? undefined : Number(retryAfter),
      };
    });
}

export class FaultPlan {
  readonly rules: FaultRule[] = [];

  constructor(private readonly random: () => number) {}

  add(...rules: FaultRule[]): void {
    this.rules.push(...rules);
  }

  clear(): void {
    this.rules.length = 0;
  }

  /** The first rule of one of `kinds` that hits this request, consuming one of its count. */
  take(action: string, kinds: readonly FaultKind[]): FaultRule | undefined {
    for (const rule of this.rules) {
      if (!kinds.includes(rule.kind)) continue;
      if (rule.action && rule.action !== action) continue;
      if (rule.count !== undefined && rule.count <= 0) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      if (rule.count !== undefined) rule.count--;
      return rule;
    }
    return undefined;
  }
}
