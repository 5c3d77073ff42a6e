/**
 * Where the run's records go: each to stdout the moment it is written (a run killed between two lines has
 * left every earlier line), and to the results logstore in batches during the run: the first batch at
 * once (so a run that never finishes can be found in SLS), then after every money event or every few
 * seconds, one delivery in flight at a time so a slow logstore never delays a submission. The last
 * delivery is bounded by the deadline it is given: a slow logstore cannot hold the run past its budget.
 */
import type { Clock } from '../clock/index.js';
import { errorMessage } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import { errorText } from '../notify/text.js';
import type { RecordFields } from './records.js';

/**
 * Sends records in order. A failure after some of the first records arrived throws an error whose numeric
 * `delivered` says how many: only the others may be sent again (the logstore does not deduplicate).
 */
export type Deliver = (records: ReadonlyArray<Readonly<Record<string, unknown>>>, deadlineMs: number) => Promise<void>;

export interface SlsDelivery {
  readonly configured: boolean;
  readonly delivered: boolean;
  readonly error?: string | undefined;
}

const BATCH_EVERY_MS = 2_000;
const BATCH_RECORDS = 500;
/** One background delivery may take this long before it gives up (its records wait for the next one). */
const BACKGROUND_DELIVERY_MS = 10_000;

export class Recorder {
  private queue: Array<Readonly<Record<string, unknown>>> = [];
  private inFlight: Promise<void> | undefined;
  private lastFlushMs: number;
  private failure: string | undefined;
  private attempted = false;
  private written = 0;
  /**
   * An urgent record written while a delivery was on its way (an order's decision line, with its task
   * number, behind the run's first batch) goes the moment that delivery ends, not at the next write: a run
   * following its tasks writes nothing for minutes, and a kill meanwhile would leave the line out of the
   * logstore, where the next instance looks for the day's orders. After a failed delivery it waits for the
   * next write or the finish, as before: the client has already retried, and a loop would hammer SLS.
   */
  private urgentWaiting = false;

  constructor(
    private readonly logger: Logger,
    private readonly deliver: Deliver | undefined,
    private readonly clock: Clock,
    /** Background deliveries must end by then (the run's work deadline). */
    private readonly backgroundDeadlineMs: number,
  ) {
    this.lastFlushMs = clock.now();
  }

  /**
   * Writes one record now; `urgent` (a run starting, an order placed) sends the batch to SLS at once.
   * Each record carries `seq`, its number in the run: a PutLogs stored but not answered is sent again and
   * SLS keeps both copies (it has no idempotent write), so `run_id` + `seq` is what names one record.
   */
  write(fields: RecordFields, urgent = false): void {
    const written = this.logger.record({ ...fields, seq: ++this.written });
    if (!this.deliver) return;
    this.queue.push(written);
    if (urgent && this.inFlight) this.urgentWaiting = true;
    if (urgent || this.queue.length >= BATCH_RECORDS || this.clock.now() - this.lastFlushMs >= BATCH_EVERY_MS) this.flushInBackground();
  }

  private flushInBackground(): void {
    if (this.inFlight || this.queue.length === 0) return;
    const deadline = Math.min(this.clock.now() + BACKGROUND_DELIVERY_MS, this.backgroundDeadlineMs);
    if (deadline <= this.clock.now()) return;
    this.urgentWaiting = false;
    this.inFlight = this.send(deadline).then((ok) => {
      this.inFlight = undefined;
      if (ok && this.urgentWaiting) this.flushInBackground();
    });
  }

  /** Sends the queue; resolves whether every record of it arrived (never rejects). */
  private async send(deadlineMs: number): Promise<boolean> {
    const batch = this.queue;
    this.queue = [];
    this.lastFlushMs = this.clock.now();
    this.attempted = true;
    try {
      await this.deliver!(batch, deadlineMs);
      // A failed batch travels again at the front of the next one: once that arrives, its error is over.
      this.failure = undefined;
      return true;
    } catch (error) {
      // Kept for the next delivery, less what arrived: stdout has them meanwhile.
      this.queue = [...batch.slice(deliveredBefore(error)), ...this.queue];
      this.failure = errorMessage(error);
      return false;
    }
  }

  /** What delivery achieved so far: every batch sent, or the last error. */
  status(): SlsDelivery {
    if (!this.deliver) return { configured: false, delivered: false };
    // A batch still on its way is not delivered yet (its records left the queue when it was sent).
    const delivered = this.attempted && this.inFlight === undefined && this.queue.length === 0 && this.failure === undefined;
    const unsent = this.queue.length > 0 && !this.inFlight ? `${this.queue.length} record${this.queue.length > 1 ? 's were' : ' was'} not sent: no time was left for SLS` : undefined;
    // Never "failed" without a reason: the message repeats this to a person.
    return { configured: true, delivered, error: this.failure ?? (this.inFlight ? 'a delivery was still waiting for SLS at the deadline' : unsent) };
  }

  /** Waits for the delivery in flight and sends the rest, all by `deadlineMs`. */
  async finish(deadlineMs: number): Promise<SlsDelivery> {
    if (!this.deliver) return this.status();
    // Waited for until `deadlineMs` only: a background delivery is bounded by the work deadline, which may
    // come after the time this caller has (the message's share of the finishing margin comes first).
    // A delivery ending may start the next at once (urgent records waiting): each is waited for in turn.
    while (this.inFlight && deadlineMs > this.clock.now()) await until(this.inFlight, deadlineMs - this.clock.now());
    if (!this.inFlight && this.queue.length > 0 && deadlineMs > this.clock.now()) await this.send(deadlineMs);
    return this.status();
  }
}

/** Settles when `work` does or after `ms` of real time, whichever is first; never rejects. */
function until(work: Promise<void>, ms: number): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([work.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

/** How many of a failed delivery's first records arrived all the same (see Deliver). */
function deliveredBefore(error: unknown): number {
  const delivered = (error as { delivered?: unknown } | null)?.delivered;
  return typeof delivered === 'number' && Number.isInteger(delivered) && delivered > 0 ? delivered : 0;
}

/** What the run record says of SLS: delivered, failed (and why), or not configured. */
export function slsFields(sls: SlsDelivery): { readonly sls_delivery: 'ok' | 'failed' | 'off'; readonly sls_error: string | undefined } {
  if (!sls.configured) return { sls_delivery: 'off', sls_error: undefined };
  // Cut in SLS's words, never in what to do after them (notify errorText).
  return sls.delivered ? { sls_delivery: 'ok', sls_error: undefined } : { sls_delivery: 'failed', sls_error: sls.error === undefined ? undefined : errorText(sls.error, 300) };
}
