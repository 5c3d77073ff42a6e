/**
 * Run options, the same schema for every trigger (timer payload, webhook body, direct invocation, CLI),
 * and the rule that a request may narrow the configured run but never widen it.
 */
import * as z from 'zod/mini';
import { MAX_LISTED_ACCOUNTS } from '../accounts/index.js';
import type { Mode, RedeemerConfig } from '../config/index.js';
import { UserError } from '../errors/index.js';
import { normalizeDomainName } from '../config/index.js';
import { describeIssues, onFirstUse } from '../validation/index.js';

const runOptionsSchema = onFirstUse(() =>
  z.strictObject({
    /** run (the default) redeems; doctor checks the account, the role and the channels, and orders nothing. */
    action: z.optional(z.enum(['run', 'doctor'])),
    mode: z.optional(z.enum(['dry-run', 'live'])),
    domains: z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(253))).check(z.maxLength(1000))),
    reason: z.optional(z.string().check(z.maxLength(500))),
    /** With REDEEM_ACCOUNTS: only these of its accounts (ids); a request may narrow the accounts, never add one. */
    accounts: z.optional(z.array(z.string().check(z.regex(/^\d{1,32}$/))).check(z.minLength(1), z.maxLength(MAX_LISTED_ACCOUNTS))),
  }),
);

export type RunOptions = z.output<ReturnType<typeof runOptionsSchema>>;

/** A request that cannot be run as it is: the message names the field and what is wrong. */
export class RunOptionsError extends UserError {
  override readonly name = 'RunOptionsError';
  constructor(message: string, code: 'invalid-options' | 'escalation-refused') {
    super(code, message);
  }
}

/** The fields of a run the doctor does not take. */
const DOCTOR_REFUSES = ['domains', 'mode', 'accounts'] as const;

export function parseRunOptions(input: unknown): RunOptions {
  const parsed = runOptionsSchema().safeParse(input ?? {});
  if (!parsed.success) throw new RunOptionsError(`Invalid run options: ${describeIssues(parsed.error.issues)}`, 'invalid-options');
  // An empty list would look at no domain at all (each "not-requested"), where a list left out takes them all.
  if (parsed.data.domains?.length === 0) throw new RunOptionsError('Invalid run options: domains: the list names no domain; leave the field out to take every domain the allow-list takes', 'invalid-options');
  // The doctor checks the whole configuration and every account: a run's target taken in silence read as a
  // look at what was named. (reason names no target: it is taken.)
  if (parsed.data.action === 'doctor') {
    const field = DOCTOR_REFUSES.find((name) => parsed.data[name] !== undefined);
    if (field) throw new RunOptionsError(`Invalid run options: ${field}: "action": "doctor" takes no ${field} (the doctor checks the whole configuration${field === 'accounts' ? ' and every account' : ''}, and orders nothing); leave ${field} out, or leave "action" out for a run`, 'invalid-options');
  }
  const junk = (parsed.data.domains ?? []).filter((name) => normalizeDomainName(name) === undefined);
  if (junk.length > 0) {
    throw new RunOptionsError(`Invalid run options: domains: not domain names: ${junk.slice(0, 5).map((j) => JSON.stringify(j)).join(', ')}`, 'invalid-options');
  }
  return parsed.data;
}

export interface EffectiveRun {
  readonly mode: Mode;
  /** The domains a request named (normalised); undefined when it named none. */
  readonly requested: ReadonlySet<string> | undefined;
  readonly reason: string | undefined;
}

export function narrow(config: RedeemerConfig, options: RunOptions): EffectiveRun {
  if (options.mode === 'live' && config.mode !== 'live') {
    throw new RunOptionsError('mode: "live" was asked for but the function is configured for dry-run; a request may narrow a run, never widen it', 'escalation-refused');
  }
  return {
    mode: options.mode === 'dry-run' ? 'dry-run' : config.mode,
    requested: options.domains ? new Set(options.domains.map((name) => normalizeDomainName(name)!)) : undefined,
    reason: options.reason,
  };
}
