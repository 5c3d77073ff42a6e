/**
 * The run's token bucket against registrars it does not know, on a fake clock: three ways a server may
 * enforce its QPS limit (a fixed per-second window, a sliding one-second window, a token bucket), each
 * written here from the rule itself rather than taken from the emulator, met by a limiter configured at
 * 20 QPS (the default REDEEM_API_QPS, burst 20, as run.ts builds it) with eight callers that always have
 * work. At a 10 QPS limit the run must get at least 90 % of it over a minute with few refusals; when the
 * limit halves, or another client starts sharing the account's quota, it must follow the limit down; and
 * when the other client leaves, find its way back up.
 */
import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../shared/http/rate-limiter.js';
import { FakeClock } from '../support/fake-clock.js';

type Answer = { readonly ok: true } | { readonly ok: false; readonly retryAfterMs: number };

interface ServerModel {
  admit(now: number): Answer;
}

/** The server's limit at a time: a number, or one that changes during the run. */
type Limit = (now: number) => number;

/** At most `limit` requests in each calendar second [k s, k+1 s); the wait is to the next second. */
function fixedWindow(limit: Limit): ServerModel {
  let window = -1;
  let count = 0;
  return {
    admit(now) {
      const current = Math.floor(now / 1_000);
      if (current !== window) {
        window = current;
        count = 0;
      }
      if (count >= limit(now)) return { ok: false, retryAfterMs: (current + 1) * 1_000 - now };
      count++;
      return { ok: true };
    },
  };
}

/** At most `limit` accepted requests in any 1 000 ms ending now; the wait is until the oldest that counts leaves. */
function slidingWindow(limit: Limit): ServerModel {
  const accepted: number[] = [];
  return {
    admit(now) {
      while (accepted.length > 0 && now - accepted[0]! >= 1_000) accepted.shift();
      const n = limit(now);
      if (accepted.length >= n) return { ok: false, retryAfterMs: Math.max(1, 1_000 - (now - accepted[accepted.length - n]!)) };
      accepted.push(now);
      return { ok: true };
    },
  };
}

/** Tokens refill at `limit` a second up to a second's worth; a request takes one, or is refused until one is there. */
function tokenBucket(limit: Limit): ServerModel {
  let tokens = limit(0);
  let at = 0;
  return {
    admit(now) {
      const rate = limit(now);
      tokens = Math.min(rate, tokens + ((now - at) * rate) / 1_000);
      at = now;
      if (tokens < 1) return { ok: false, retryAfterMs: Math.ceil(((1 - tokens) * 1_000) / rate) };
      tokens -= 1;
      return { ok: true };
    },
  };
}

const MODELS: Readonly<Record<string, (limit: Limit) => ServerModel>> = {
  'fixed per-second window': fixedWindow,
  'sliding one-second window': slidingWindow,
  'token bucket': tokenBucket,
};
const NAMES = Object.keys(MODELS);

interface Simulation {
  /** Times the server accepted one of our requests, and refused one. */
  readonly accepted: number[];
  readonly refused: number[];
  /** Times the server refused the other client. */
  readonly otherRefused: number[];
  readonly limiter: RateLimiter;
}

/**
 * Eight callers, each in a loop: take a slot, send (the server decides on arrival, 10 ms later), get
 * the answer 10 ms after that; a refusal is fed back with its grant, as RpcCaller does, and retried
 * after the server's wait, as withRetry does. `other`, when given, is another client of the same
 * account: it sends at `qps`, evenly, from `fromMs` until `untilMs`, and never slows down.
 */
async function simulate(server: ServerModel, options: { durationMs: number; other?: { qps: number; fromMs: number; untilMs?: number } }): Promise<Simulation> {
  const clock = new FakeClock(0);
  const limiter = new RateLimiter({ qps: 20, burst: 20, clock, maxWaitMs: 1e9 });
  const accepted: number[] = [];
  const refused: number[] = [];
  const otherRefused: number[] = [];
  const end = options.durationMs;
  const caller = async () => {
    while (clock.now() < end) {
      const grant = await limiter.acquire();
      if (clock.now() >= end) return;
      await clock.sleep(10);
      const answer = server.admit(clock.now());
      await clock.sleep(10);
      if (answer.ok) {
        accepted.push(clock.now() - 10);
        continue;
      }
      refused.push(clock.now() - 10);
      limiter.onThrottle(answer.retryAfterMs, grant);
      await clock.sleep(answer.retryAfterMs);
    }
  };
  const other = async ({ qps, fromMs, untilMs = end }: { qps: number; fromMs: number; untilMs?: number }) => {
    await clock.sleep(fromMs);
    while (clock.now() < untilMs) {
      if (!server.admit(clock.now()).ok) otherRefused.push(clock.now());
      await clock.sleep(1_000 / qps);
    }
  };
  const running = [...Array.from({ length: 8 }, caller), ...(options.other ? [other(options.other)] : [])];
  await clock.runAll();
  await Promise.all(running);
  return { accepted, refused, otherRefused, limiter };
}

const between = (times: readonly number[], from: number, to: number) => times.filter((t) => t >= from && t < to).length;
const ten: Limit = () => 10;

describe('against a registrar that allows 10 QPS, configured at 20 QPS', () => {
  it.each(NAMES)('%s: at least 90 percent of the limit over a minute, few refusals', async (name) => {
    const { accepted, refused, limiter } = await simulate(MODELS[name]!(ten), { durationMs: 60_000 });
    // 10 QPS for 60 s is 600 calls (a token bucket lets a second's worth more through at the start).
    expect(accepted.length).toBeGreaterThanOrEqual(540);
    expect(accepted.length).toBeLessThanOrEqual(615);
    // The first burst of 20 meets 10 refusals at most; after it, a probe now and then.
    expect(refused.length).toBeLessThanOrEqual(20);
    expect(between(refused, 5_000, 60_000)).toBeLessThanOrEqual(6);
    expect(limiter.stats.decreases).toBeLessThanOrEqual(8);
    // Steady, not a saw-tooth: every 10 s of the minute past the first gets at least 90 % of the limit.
    for (let from = 10_000; from < 60_000; from += 10_000) expect(between(accepted, from, from + 10_000)).toBeGreaterThanOrEqual(90);
  });
});

describe('when the limit comes down, the limiter follows it', () => {
  it.each(NAMES)('%s: the limit halves at 30 s: at least 90 percent of the new one, and no more than it, with few refusals', async (name) => {
    const { accepted, refused, limiter } = await simulate(MODELS[name]!((now) => (now < 30_000 ? 10 : 5)), { durationMs: 60_000 });
    expect(between(accepted, 0, 30_000)).toBeGreaterThanOrEqual(270);
    // 5 QPS for the last 20 s is 100 calls.
    expect(between(accepted, 40_000, 60_000)).toBeGreaterThanOrEqual(90);
    expect(between(accepted, 40_000, 60_000)).toBeLessThanOrEqual(101);
    expect(between(refused, 30_000, 60_000)).toBeLessThanOrEqual(12);
    expect(between(refused, 40_000, 60_000)).toBeLessThanOrEqual(4);
    expect(limiter.stats.qps).toBeLessThanOrEqual(6);
  });

  it.each(NAMES)('%s: another client takes 5 QPS of the 10 from 30 s on: the limiter leaves it its share', async (name) => {
    const { accepted, refused, otherRefused, limiter } = await simulate(MODELS[name]!(ten), { durationMs: 60_000, other: { qps: 5, fromMs: 30_000 } });
    expect(between(accepted, 0, 30_000)).toBeGreaterThanOrEqual(270);
    expect(between(accepted, 40_000, 60_000)).toBeGreaterThanOrEqual(90);
    expect(between(refused, 30_000, 60_000)).toBeLessThanOrEqual(15);
    expect(between(refused, 40_000, 60_000)).toBeLessThanOrEqual(6);
    expect(limiter.stats.qps).toBeLessThanOrEqual(6.5);
    if (name === 'token bucket') {
      // A token bucket's reserve hides the limit for a while, so a probe above the ceiling can take some of
      // the other client's share before a refusal says so; the cut after it gives the share back.
      expect(between(accepted, 40_000, 60_000)).toBeLessThanOrEqual(115);
      expect(between(otherRefused, 40_000, 60_000)).toBeLessThanOrEqual(12);
    } else {
      expect(between(accepted, 40_000, 60_000)).toBeLessThanOrEqual(101);
      expect(between(otherRefused, 40_000, 60_000)).toBeLessThanOrEqual(1);
    }
  });

  it.each(NAMES)('%s: and when the other client leaves at 30 s, probing finds the whole limit again within 40 s', async (name) => {
    const { accepted, refused } = await simulate(MODELS[name]!(ten), { durationMs: 90_000, other: { qps: 5, fromMs: 0, untilMs: 30_000 } });
    expect(between(accepted, 70_000, 90_000)).toBeGreaterThanOrEqual(180);
    expect(between(refused, 30_000, 90_000)).toBeLessThanOrEqual(6);
  });
});
