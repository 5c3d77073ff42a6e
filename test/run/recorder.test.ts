import { describe, expect, it } from 'vitest';
import { createLogger } from '../../shared/log/index.js';
import { Recorder, type Deliver } from '../../shared/run/recorder.js';
import type { RecordFields } from '../../shared/run/records.js';
import { fakeClock } from '../support/fake-clock.js';

const T0 = Date.UTC(2026, 11, 1, 12);
const decision = (domain: string): RecordFields => ({ kind: 'decision', domain, tld: 'com', expiration_ms: 1, deadline_ms: 2, days_left: 3, rules: 'known', action: 'skip', reason: 'outside-window', outcome: 'skipped' });

interface Delivery {
  readonly domains: string[];
  readonly deadlineMs: number;
  resolve(): void;
  reject(error: Error): void;
}

/** A logstore whose every delivery waits until the test settles it. */
function slowLogstore() {
  const deliveries: Delivery[] = [];
  const deliver: Deliver = (records, deadlineMs) =>
    new Promise<void>((resolve, reject) => {
      deliveries.push({ domains: records.map((r) => String(r.domain ?? r.kind)), deadlineMs, resolve, reject });
    });
  return { deliver, deliveries };
}

function setup(deliver: Deliver | undefined, backgroundDeadlineMs = T0 + 60_000) {
  const clock = fakeClock(T0);
  const lines: string[] = [];
  const logger = createLogger((line) => lines.push(line), { run_id: 'r-1' });
  const recorder = new Recorder(logger, deliver, clock, backgroundDeadlineMs);
  return { clock, lines, recorder };
}

/** Lets the recorder's promise callbacks run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Recorder: the line writer', () => {
  it('writes every record at once, stamped, whatever SLS is doing', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { lines, recorder } = setup(deliver);
    recorder.write({ kind: 'run', outcome: 'started' }, true);
    recorder.write(decision('a.com'));
    recorder.write(decision('b.com'), true);
    // The first delivery has not answered: every line is written all the same.
    expect(deliveries).toHaveLength(1);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { kind: 'run', run_id: 'r-1', outcome: 'started', seq: 1 },
      expect.objectContaining({ kind: 'decision', run_id: 'r-1', domain: 'a.com' }),
      expect.objectContaining({ kind: 'decision', run_id: 'r-1', domain: 'b.com' }),
    ]);
  });

  it('without a logstore: lines only, and finish says SLS is off', async () => {
    const { lines, recorder } = setup(undefined);
    recorder.write(decision('a.com'), true);
    expect(lines).toHaveLength(1);
    expect(recorder.status()).toEqual({ configured: false, delivered: false });
    expect(await recorder.finish(T0 + 1_000)).toEqual({ configured: false, delivered: false });
  });
});

describe('Recorder: SLS batches', () => {
  it('the first, urgent batch goes at once, bounded by 10 s and by the background deadline', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { recorder } = setup(deliver, T0 + 4_000);
    recorder.write({ kind: 'run', outcome: 'started' }, true);
    expect(deliveries.map((d) => [d.domains, d.deadlineMs])).toEqual([[['run'], T0 + 4_000]]);

    const far = slowLogstore();
    const later = setup(far.deliver, T0 + 60_000);
    later.recorder.write({ kind: 'run', outcome: 'started' }, true);
    expect(far.deliveries[0]!.deadlineMs).toBe(T0 + 10_000);
  });

  it('a non-urgent record waits for the next batch: 2 s after the last one, or 500 records', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { clock, recorder } = setup(deliver);
    recorder.write({ kind: 'run', outcome: 'started' }, true);
    deliveries[0]!.resolve();
    await settle();
    recorder.write(decision('a.com'));
    clock.advance(1_999);
    recorder.write(decision('b.com'));
    expect(deliveries).toHaveLength(1);
    clock.advance(1);
    recorder.write(decision('c.com'));
    expect(deliveries.map((d) => d.domains)).toEqual([['run'], ['a.com', 'b.com', 'c.com']]);
    deliveries[1]!.resolve();
    await settle();

    for (let i = 0; i < 499; i++) recorder.write(decision(`d${i}.com`));
    expect(deliveries).toHaveLength(2);
    recorder.write(decision('d499.com'));
    expect(deliveries).toHaveLength(3);
    expect(deliveries[2]!.domains).toHaveLength(500);
  });

  it('one delivery in flight at a time: urgent records written meanwhile go the moment it ends, not at the next write', async () => {
    // An order's decision line (its task number) written while the run's first batch was on its way
    // waited for the next record: a run that writes nothing while it follows its tasks (minutes) held it
    // back, and a kill in that time left it out of the logstore, where the next instance looks for it.
    const { deliver, deliveries } = slowLogstore();
    const { recorder } = setup(deliver);
    recorder.write({ kind: 'run', outcome: 'started' }, true);
    recorder.write(decision('a.com'), true);
    recorder.write(decision('b.com'), true);
    expect(deliveries).toHaveLength(1);
    deliveries[0]!.resolve();
    await settle();
    expect(deliveries.map((d) => d.domains)).toEqual([['run'], ['a.com', 'b.com']]);
    recorder.write(decision('c.com'), true);
    expect(deliveries).toHaveLength(2);
    deliveries[1]!.resolve();
    await settle();
    expect(deliveries.map((d) => d.domains)).toEqual([['run'], ['a.com', 'b.com'], ['c.com']]);
  });

  it('records that are not urgent, written during a delivery, wait for their batch as before', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { recorder } = setup(deliver);
    recorder.write({ kind: 'run', outcome: 'started' }, true);
    recorder.write(decision('a.com'));
    deliveries[0]!.resolve();
    await settle();
    expect(deliveries).toHaveLength(1);
  });

  it('a failed batch is kept, first, for the next delivery; status says the error until one succeeds', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { recorder } = setup(deliver);
    recorder.write(decision('a.com'), true);
    deliveries[0]!.reject(new Error('SLS answered 503'));
    await settle();
    expect(recorder.status()).toEqual({ configured: true, delivered: false, error: 'SLS answered 503' });

    recorder.write(decision('b.com'), true);
    expect(deliveries[1]!.domains).toEqual(['a.com', 'b.com']);
    deliveries[1]!.resolve();
    await settle();
    // Every record has reached the logstore: the earlier error is over.
    expect(recorder.status()).toEqual({ configured: true, delivered: true, error: undefined });
    expect(await recorder.finish(T0 + 30_000)).toMatchObject({ delivered: true });
  });

  it('no background delivery once the background deadline has passed: the records wait for finish', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { clock, recorder } = setup(deliver, T0 + 1_000);
    clock.advance(1_000);
    recorder.write(decision('a.com'), true);
    expect(deliveries).toHaveLength(0);
    const finished = recorder.finish(T0 + 5_000);
    await settle();
    expect(deliveries.map((d) => [d.domains, d.deadlineMs])).toEqual([[['a.com'], T0 + 5_000]]);
    deliveries[0]!.resolve();
    expect(await finished).toEqual({ configured: true, delivered: true, error: undefined });
  });
});

describe('Recorder: finish and status', () => {
  it('status before anything was sent: configured, not delivered', () => {
    const { recorder } = setup(slowLogstore().deliver);
    expect(recorder.status()).toEqual({ configured: true, delivered: false, error: undefined });
  });

  it('finish waits, in turn, for the delivery an ending one starts (urgent records waiting), and says delivered', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { recorder } = setup(deliver);
    recorder.write({ kind: 'run', outcome: 'started' }, true);
    recorder.write(decision('a.com'), true);
    const finished = recorder.finish(T0 + 20_000);
    deliveries[0]!.resolve();
    await settle();
    expect(deliveries.map((d) => d.domains)).toEqual([['run'], ['a.com']]);
    deliveries[1]!.resolve();
    expect(await finished).toEqual({ configured: true, delivered: true, error: undefined });
  });

  it('finish waits for the delivery in flight, then sends the rest by its deadline', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { recorder } = setup(deliver);
    recorder.write(decision('a.com'), true);
    recorder.write(decision('b.com'));
    let done = false;
    const finished = recorder.finish(T0 + 20_000).then((s) => {
      done = true;
      return s;
    });
    await settle();
    expect(deliveries).toHaveLength(1);
    deliveries[0]!.resolve();
    await settle();
    expect(deliveries.map((d) => [d.domains, d.deadlineMs])).toEqual([
      [['a.com'], T0 + 10_000],
      [['b.com'], T0 + 20_000],
    ]);
    expect(done).toBe(false);
    deliveries[1]!.resolve();
    expect(await finished).toEqual({ configured: true, delivered: true, error: undefined });
  });

  it('finish past its deadline sends nothing and says not delivered, and why', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { clock, recorder } = setup(deliver, T0);
    recorder.write(decision('a.com'), true);
    clock.advance(5_000);
    expect(await recorder.finish(T0 + 5_000)).toEqual({ configured: true, delivered: false, error: '1 record was not sent: no time was left for SLS' });
    expect(deliveries).toHaveLength(0);
  });

  it("finish's failed delivery is reported with its error", async () => {
    const deliver: Deliver = async () => {
      throw new Error('logstore not found');
    };
    const { recorder } = setup(deliver, T0);
    recorder.write(decision('a.com'));
    expect(await recorder.finish(T0 + 5_000)).toEqual({ configured: true, delivered: false, error: 'logstore not found' });
  });
});

describe('Recorder: records left unsent', () => {
  it('no time left for the last delivery: the status says how many records were not sent and why, never a failure without a reason', async () => {
    const { deliver, deliveries } = slowLogstore();
    const { clock, recorder } = setup(deliver);
    recorder.write(decision('a.com'), true);
    deliveries[0]!.resolve();
    await settle();
    recorder.write(decision('b.com'));
    recorder.write(decision('c.com'));
    const status = await recorder.finish(clock.now() - 1);
    expect(status).toMatchObject({ configured: true, delivered: false });
    expect(status.error).toBe('2 records were not sent: no time was left for SLS');
  });
});
