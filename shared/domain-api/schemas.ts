/**
 * Response shapes of the Domain API actions we call, validated at the edge with zod/mini and
 * normalised: DomainStatus arrives as a string ("2"), TaskStatusCode as a number, Data and its list may be
 * missing on an empty page, and TaskDetail may be one object instead of an array.
 */
import * as z from 'zod/mini';

const text = z.pipe(z.union([z.string(), z.number()]), z.transform((v) => String(v)));
const integer = z.pipe(
  z.union([z.number(), z.string().check(z.regex(/^-?\d+$/))]),
  z.transform((v) => Number(v)),
);
const flag = z.pipe(
  z.union([z.boolean(), z.enum(['true', 'false'])]),
  z.transform((v) => v === true || v === 'true'),
);
/** A list that may be missing (empty page) or a lone object (TaskDetail in one doc sample). */
function listOf<T extends z.ZodMiniType>(item: T) {
  return z.pipe(
    z.transform((v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v])),
    z.array(item),
  );
}

const pageEnvelope = {
  RequestId: z.string(),
  CurrentPageNum: z.optional(integer),
  TotalPageNum: z.optional(integer),
  TotalItemNum: z.optional(integer),
  NextPage: z.optional(flag),
};

export const domainItemSchema = z.object({
  DomainName: z.string(),
  InstanceId: z.optional(z.string()),
  ExpirationDateLong: integer,
  DomainStatus: text,
  ExpirationCurrDateDiff: z.optional(integer),
  DomainType: z.optional(z.string()),
});

export const queryDomainListSchema = z.object({
  ...pageEnvelope,
  Data: z.optional(z.object({ Domain: listOf(domainItemSchema) })),
});

export const taskDetailSchema = z.object({
  TaskNo: z.string(),
  TaskDetailNo: z.optional(text),
  TaskType: z.string(),
  DomainName: z.string(),
  TaskStatus: z.string(),
  TaskStatusCode: integer,
  ErrorMsg: z.optional(z.string()),
  FailReason: z.optional(z.nullable(z.string())),
  TryCount: z.optional(integer),
  CreateTime: z.optional(z.string()),
  UpdateTime: z.optional(z.string()),
});

export const queryTaskDetailListSchema = z.object({
  ...pageEnvelope,
  Data: z.optional(z.object({ TaskDetail: listOf(taskDetailSchema) })),
});

export const taskInfoSchema = z.object({
  TaskNo: z.string(),
  TaskType: z.string(),
  TaskNum: z.optional(integer),
  CreateTime: z.optional(z.string()),
  TaskStatus: z.optional(z.string()),
  TaskStatusCode: z.optional(integer),
});

export const queryTaskListSchema = z.object({
  ...pageEnvelope,
  Data: z.optional(z.object({ TaskInfo: listOf(taskInfoSchema) })),
});

export const saveRedeemSchema = z.object({
  RequestId: z.string(),
  TaskNo: z.string().check(z.minLength(1)),
});

export const errorBodySchema = z.object({
  Code: text,
  Message: z.optional(z.string()),
  RequestId: z.optional(z.string()),
  HostId: z.optional(z.string()),
});

export type DomainItem = z.output<typeof domainItemSchema>;
export type TaskDetail = z.output<typeof taskDetailSchema>;
export type TaskInfo = z.output<typeof taskInfoSchema>;

/** TaskDetail status codes (0-3). TaskInfo uses a different set (1-3): keep them apart. */
export const TaskDetailStatus = {
  WaitingExecute: 0,
  Executing: 1,
  ExecuteSuccess: 2,
  ExecuteFailure: 3,
} as const;

export function isFinalTaskDetail(detail: Pick<TaskDetail, 'TaskStatusCode'>): boolean {
  return detail.TaskStatusCode === TaskDetailStatus.ExecuteSuccess || detail.TaskStatusCode === TaskDetailStatus.ExecuteFailure;
}
