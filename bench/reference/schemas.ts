/**
 * The reference's validation, written with classic zod the way most users would: the same fields and
 * normalisation as the function's zod/mini schemas.
 */
import { z } from 'zod';

const text = z.union([z.string(), z.number()]).transform((v) => String(v));
const integer = z.union([z.number(), z.string().regex(/^-?\d+$/)]).transform((v) => Number(v));
const flag = z.union([z.boolean(), z.enum(['true', 'false'])]).transform((v) => v === true || v === 'true');
const listOf = <T extends z.ZodTypeAny>(item: T) =>
  z.preprocess((v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]), z.array(item));

const envelope = {
  RequestId: z.string(),
  CurrentPageNum: integer.optional(),
  TotalPageNum: integer.optional(),
  TotalItemNum: integer.optional(),
  NextPage: flag.optional(),
};

export const domainListSchema = z.object({
  ...envelope,
  Data: z
    .object({
      Domain: listOf(
        z.object({ DomainName: z.unknown(), ExpirationDateLong: z.unknown(), DomainStatus: z.unknown() }),
      ),
    })
    .optional(),
});

export const taskDetailListSchema = z.object({
  ...envelope,
  Data: z
    .object({
      TaskDetail: listOf(
        z.object({
          TaskNo: z.string(),
          TaskDetailNo: text.optional(),
          TaskType: z.string(),
          DomainName: z.string(),
          TaskStatus: z.string(),
          TaskStatusCode: integer,
          ErrorMsg: z.string().optional(),
          FailReason: z.string().nullable().optional(),
          TryCount: integer.optional(),
          CreateTime: z.string().optional(),
          UpdateTime: z.string().optional(),
        }),
      ),
    })
    .optional(),
});

export const taskListSchema = z.object({
  ...envelope,
  Data: z
    .object({
      TaskInfo: listOf(
        z.object({
          TaskNo: z.string(),
          TaskType: z.string(),
          TaskNum: integer.optional(),
          CreateTime: z.string().optional(),
          TaskStatus: z.string().optional(),
          TaskStatusCode: integer.optional(),
        }),
      ),
    })
    .optional(),
});

export const redeemSchema = z.object({ RequestId: z.string(), TaskNo: z.string().refine((v) => v.trim() !== '', 'expected a task number, got an empty or blank one') });

export const runOptionsSchema = z
  .object({
    mode: z.enum(['dry-run', 'live']).optional(),
    domains: z.array(z.string().min(1).max(253)).max(1000).optional(),
    reason: z.string().max(500).optional(),
  })
  .strict();

export const timerEventSchema = z.object({ triggerTime: z.string(), triggerName: z.string(), payload: z.string().nullable().optional() });

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));
const whole = (fallback: number, max: number) =>
  optional.pipe(z.union([z.undefined().transform(() => fallback), z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().max(max))]));

export const envSchema = z.object({
  REDEEM_MODE: optional.pipe(z.enum(['dry-run', 'live']).default('dry-run')),
  REDEEM_DOMAINS: optional,
  REDEEM_EXCLUDE: optional,
  REDEEM_WITHIN_DAYS: whole(7, 365),
  REDEEM_MAX_PER_RUN: whole(10, 100_000),
  REDEEM_MAX_PER_DAY: whole(20, 100_000),
  REDEEM_TLD_RULES: optional,
  DOMAIN_SITE: optional.pipe(z.enum(['intl', 'cn']).default('intl')),
  DOMAIN_ENDPOINT: optional,
});

export const tldRulesSchema = z.record(z.string().min(1), z.object({ graceDays: z.number().int().min(0).max(365), redemptionDays: z.number().int().min(0).max(365) }).strict());
