/**
 * Response shapes of the Domain API actions we call, validated at the edge with zod/mini and
 * normalised: DomainStatus arrives as a string ("2"), TaskStatusCode as a number, Data and its list may be
 * missing on an empty page, and TaskDetail may be one object instead of an array.
 */
import * as z from 'zod/mini';
import { onFirstUse } from '../validation/index.js';

/** The field shapes the schemas below (and BSS's) share, built with the first of them. */
export const fields = onFirstUse(() => ({
  text: z.pipe(z.union([z.string(), z.number()]), z.transform((v) => String(v))),
  integer: z.pipe(
    z.union([z.number(), z.string().check(z.regex(/^-?\d+$/))]),
    z.transform((v) => Number(v)),
  ),
  flag: z.pipe(
    z.union([z.boolean(), z.enum(['true', 'false'])]),
    z.transform((v) => v === true || v === 'true'),
  ),
}));

/**
 * A field read where it can be, and taken as not said where it cannot: for what the run does without
 * (TryCount, UpdateTime it never reads), or reads with a rule for its absence already (a CreateTime it
 * cannot read counts as recent; a TaskStatus that names no state leaves TaskStatusCode the authority;
 * ErrorMsg and FailReason are words for a person). Held to its shape, one such field in a shape the docs do
 * not show (TryCount null, a time as epoch milliseconds) made the whole page malformed: the ledger
 * unreadable, so every run ordered nothing and a due domain was lost.
 */
function lenient<T extends z.ZodMiniType>(inner: T) {
  return z.optional(
    z.pipe(
      z.unknown(),
      z.transform((v): z.output<T> | undefined => {
        const read = inner.safeParse(v);
        return read.success ? read.data : undefined;
      }),
    ),
  );
}

/**
 * A field that may be answered null, JSON's "not said": read as absent (every reader already has a rule for
 * that), anything else held to its shape. Held to it, `"TotalItemNum": null` on a paging envelope, or a
 * task's `"TaskNum": null`, made the whole page malformed: the ledger unreadable, every run ordered nothing.
 */
function nullAsUnsaid<T extends z.ZodMiniType>(inner: T) {
  return z.optional(z.pipe(z.nullable(inner), z.transform((v): z.output<T> | undefined => v ?? undefined)));
}

/**
 * An answer's RequestId: informational (quoted, never relied on), so null is read as not said; but the key
 * must be there. Left optional, a bare `{}` (a proxy's empty object) would pass a page schema as an empty
 * page: an empty ledger, and a domain with an open task ordered again.
 */
export const requestId = onFirstUse(() => z.pipe(z.nullable(z.string()), z.transform((v): string | undefined => v ?? undefined)));

/**
 * A task's TaskType as text, "" when it is not text (null, absent, a number): a type nobody documented, which
 * the ledger takes as possibly a redemption (mayBeRedemption), the safe side. Held to a string, a row or a
 * detail answering `"TaskType": null` made the whole page malformed and every run ordered nothing.
 */
const taskType = onFirstUse(() => z.pipe(z.optional(z.unknown()), z.transform((v): string => (typeof v === 'string' ? v : ''))));

/** A TaskCancelStatus that is not text: neither a documented name nor one to compare with its code. */
export const UNREADABLE_CANCEL_STATUS = '(unreadable)';
/** A TaskCancelStatusCode as a whole number; anything else as -1, a code the docs do not list. */
function cancelCode(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  return typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : -1;
}

/** A detail's TaskStatusCode that cannot be read (null, absent, a name): a code the docs do not list (0-3), so an open task. */
const UNREAD_STATUS_CODE = -1;

/** The paging envelope and `Data.<field>`: a list that may be missing (empty page) or a lone object. */
function pagedList<K extends string, T extends z.ZodMiniType>(field: K, item: T) {
  const { integer, flag } = fields();
  return z.object({
    RequestId: requestId(),
    CurrentPageNum: nullAsUnsaid(integer),
    TotalPageNum: nullAsUnsaid(integer),
    TotalItemNum: nullAsUnsaid(integer),
    NextPage: nullAsUnsaid(flag),
    // Null, as absent, an empty page (beside a failure Code it is that error: rpc.ts isVendorErrorBody).
    Data: nullAsUnsaid(
      z.object({
        [field]: z.pipe(
          z.transform((v: unknown) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v])),
          z.array(item),
        ),
      } as { [P in K]: z.ZodMiniPipe<z.ZodMiniTransform<unknown[], unknown>, z.ZodMiniArray<T>> }),
    ),
  });
}

/**
 * A listed domain, kept loose on purpose: one bad item must not hide the rest of the list. Each item is
 * checked on its own (shared/run/listing.ts) and a bad one becomes an `invalid-listing` decision.
 */
const domainItemSchema = onFirstUse(() =>
  z.pipe(
    // An item that is not an object (null, a string, an array) is one bad item too: refused by the object
    // schema, it made the whole page malformed, and one such item failed the run with every domain undecided.
    z.transform((v: unknown) => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v : { NotAnObject: v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v })),
    z.object({
      // Optional, so that a missing field is an invalid listing of its own, not a malformed page (inside a
      // pipe zod/mini no longer takes a key of z.unknown() as optional).
      DomainName: z.optional(z.unknown()),
      ExpirationDateLong: z.optional(z.unknown()),
      DomainStatus: z.optional(z.unknown()),
      // Days from today to expiry (negative once expired): a check of ExpirationDateLong (listing.ts).
      ExpirationCurrDateDiff: z.optional(z.unknown()),
      /** Set (to what it was) for an item that was not an object. */
      NotAnObject: z.optional(z.string()),
    }),
  ),
);

export const queryDomainListSchema = onFirstUse(() => pagedList('Domain', domainItemSchema()));

const taskDetailSchema = onFirstUse(() => {
  const { text, integer } = fields();
  return z.object({
    TaskNo: z.string(),
    // Optional information (detailKey reads its absence as ""): null is not said.
    TaskDetailNo: nullAsUnsaid(text),
    TaskType: taskType(),
    // Not text (null, absent): "" names no domain, a slot the ledger holds every order on (unnamedTask).
    // Held to a string, one such detail made the page malformed and every run ordered nothing.
    DomainName: z.pipe(z.optional(z.unknown()), z.transform((v): string => (typeof v === 'string' ? v : ''))),
    TaskStatus: lenient(z.string()),
    // Null, absent or not a whole number (a name such as "EXECUTING") says no state: an undocumented code
    // (-1), which every reader takes as open, never as finished (ledger entryState, isFinalTaskDetail),
    // whatever TaskStatus names. Held to a number, one such detail made the page malformed: the ledger
    // unreadable, and every run ordered nothing.
    TaskStatusCode: z.pipe(z.optional(z.unknown()), z.transform((v): number => { const read = integer.safeParse(v); return read.success ? read.data : UNREAD_STATUS_CODE; })),
    ErrorMsg: lenient(z.nullable(z.string())),
    FailReason: lenient(z.nullable(z.string())),
    // Never read: kept, where readable, for the type; in any other shape it is not said (see lenient).
    TryCount: lenient(integer),
    CreateTime: lenient(z.nullable(z.string())),
    UpdateTime: lenient(z.nullable(z.string())),
  });
});

export const queryTaskDetailListSchema = onFirstUse(() => pagedList('TaskDetail', taskDetailSchema()));

const taskInfoSchema = onFirstUse(() => {
  const { integer } = fields();
  return z.object({
    // Not text (null, absent): "", a task listed without a number, which the ledger counts from its TaskNum
    // and holds every order on (listedKey, unnamedTask). Held to a string, one such row made the page
    // malformed and every run ordered nothing.
    TaskNo: z.pipe(z.optional(z.unknown()), z.transform((v): string => (typeof v === 'string' ? v : ''))),
    TaskType: taskType(),
    // Not a whole number (null, a word): not said, as absent: 1 domain, or as many as its details name.
    TaskNum: lenient(integer),
    CreateTime: lenient(z.nullable(z.string())),
    TaskStatus: lenient(z.string()),
    // Absent, null or not a whole number (a name such as "COMPLETE"): no state said, an open task (its
    // details are read). Held to a number, one such row made the page malformed and every run ordered nothing.
    TaskStatusCode: lenient(integer),
    // Whether the task was cancelled (domain-api.md §3.6: INIT 0, CANCELLING 1, COMPLETE 2): a cancelled
    // task's details may stay WAITING_EXECUTE for ever, so its state is read with it (ledger cancelState).
    // Read leniently: a field the run ignored until it read cancellations must not make a whole page (and so
    // every run) malformed. What cannot be read is one task's cancellation in doubt (cancelState holds it).
    TaskCancelStatus: z.optional(z.pipe(z.unknown(), z.transform((v) => (v === null || v === undefined ? undefined : typeof v === 'string' ? v : UNREADABLE_CANCEL_STATUS)))),
    TaskCancelStatusCode: z.optional(z.pipe(z.unknown(), z.transform((v) => (v === null || v === undefined ? undefined : cancelCode(v))))),
  });
});

export const queryTaskListSchema = onFirstUse(() => pagedList('TaskInfo', taskInfoSchema()));

/** Far longer than any task number (a UUID, 36 characters): no task is named so. */
const MAX_TASK_NO_LENGTH = 128;

/**
 * A TaskNo of blanks, or of thousands of characters, names no task: the order may exist all the same, so it
 * is an answer we cannot read (outcome unknown, reconciled with the ledger), never a submitted task that
 * nothing can follow (recorded under that number, the registrar's real task went unfollowed).
 */
export const saveRedeemSchema = onFirstUse(() =>
  z.object({
    // Held to a string, an order answered with its TaskNo and RequestId null was "outcome unknown".
    RequestId: requestId(),
    // Without blanks around it: no task number has them, and sent back with them (QueryTaskDetailList) the
    // order's task was never found, so an order that succeeded stayed "submitted".
    TaskNo: z
      .string()
      .check(
        z.trim(),
        z.refine((v) => v !== '', { message: 'expected a task number, got an empty or blank one' }),
        z.refine((v) => v.length <= MAX_TASK_NO_LENGTH, { message: `expected a task number, got a text longer than ${MAX_TASK_NO_LENGTH} characters` }),
        // A control character (a NUL, a line break) is in no task number: followed under such a text, the task was never found.
        z.refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { message: 'expected a task number, got a text with a control character' }),
      ),
  }),
);

/**
 * The vendor's error body. Message, RequestId and HostId are words for a person and may be answered null: held
 * to strings, `{"Code":"Throttling.User","Message":null,"RequestId":null}` lost its Code (a throttled read
 * failed the run as "HTTP400: non-JSON error answer", a throttled submission, certainly not accepted, was
 * never sent again; in a 200 it was "malformed answer").
 */
export const errorBodySchema = onFirstUse(() =>
  z.object({
    Code: fields().text,
    Message: nullAsUnsaid(z.string()),
    RequestId: nullAsUnsaid(z.string()),
    HostId: nullAsUnsaid(z.string()),
  }),
);

export type DomainItem = z.output<ReturnType<typeof domainItemSchema>>;
export type TaskDetail = z.output<ReturnType<typeof taskDetailSchema>>;
export type TaskInfo = z.output<ReturnType<typeof taskInfoSchema>>;

/** TaskDetail status codes (0-3). TaskInfo uses a different set (1-3): keep them apart. */
export const TaskDetailStatus = {
  WaitingExecute: 0,
  Executing: 1,
  ExecuteSuccess: 2,
  ExecuteFailure: 3,
} as const;

/** TaskDetail's TaskStatus names, in the order of their TaskStatusCode. */
const TASK_DETAIL_STATUS_NAMES: readonly string[] = ['WAITING_EXECUTE', 'EXECUTING', 'EXECUTE_SUCCESS', 'EXECUTE_FAILURE'];

/**
 * Whether a detail's TaskStatus names a documented state other than its TaskStatusCode's. Then neither can
 * be believed: a "failure" that says success must not be ordered again, and a "success" that says failure
 * must not be reported as one. A TaskStatus that names no documented state (absent, another language)
 * leaves the code the authority.
 */
export function contradictsItself(detail: Pick<TaskDetail, 'TaskStatusCode' | 'TaskStatus'>): boolean {
  const named = TASK_DETAIL_STATUS_NAMES.indexOf(detail.TaskStatus?.trim().toUpperCase() ?? '');
  return named !== -1 && named !== detail.TaskStatusCode;
}

/** Succeeded or failed, by a status that does not contradict itself. */
export function isFinalTaskDetail(detail: Pick<TaskDetail, 'TaskStatusCode' | 'TaskStatus'>): boolean {
  if (contradictsItself(detail)) return false;
  return detail.TaskStatusCode === TaskDetailStatus.ExecuteSuccess || detail.TaskStatusCode === TaskDetailStatus.ExecuteFailure;
}
