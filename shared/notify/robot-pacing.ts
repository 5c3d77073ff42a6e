/**
 * The vendors' per-robot caps, kept by this process for every run it serves: the runs of one instance
 * (each account of REDEEM_ACCOUNTS, webhook runs in a row) share a robot, and the vendor counts them
 * together. DingTalk throttles a robot for 10 minutes after its 21st message of a minute, so a message
 * over a cap is not sent at all: it would be refused, and it would cost the ones after it.
 */

export interface RobotCap {
  readonly messages: number;
  readonly perMs: number;
}

/** Robot (its URL, which only this process memory holds) → when its recent requests were sent. */
const sentAt = new Map<string, number[]>();

/**
 * The vendor counts requests as they reach it, this process as it sends them, each on a fresh connection
 * (a TCP and TLS handshake each time, often across a border): a first request slower on the wire than one
 * sent a window later arrives less than a window before it, and DingTalk's 21st of a minute costs the
 * robot ten minutes. A cap's window is counted this much longer: 5% of it, at least 250 ms.
 */
function windowMs(cap: RobotCap): number {
  return cap.perMs + Math.max(250, cap.perMs / 20);
}

/**
 * Takes a slot for one request to `robot` at `nowMs` and answers undefined, or, when a cap is full,
 * takes nothing and answers how long until a slot frees.
 */
export function takeSlot(robot: string, caps: readonly RobotCap[], nowMs: number): number | undefined {
  if (caps.length === 0) return undefined;
  const longest = Math.max(...caps.map(windowMs));
  const recent = (sentAt.get(robot) ?? []).filter((t) => t > nowMs - longest);
  let waitMs = 0;
  for (const cap of caps) {
    const inWindow = recent.filter((t) => t > nowMs - windowMs(cap));
    if (inWindow.length >= cap.messages) waitMs = Math.max(waitMs, inWindow[inWindow.length - cap.messages]! + windowMs(cap) - nowMs);
  }
  if (waitMs > 0) {
    sentAt.set(robot, recent);
    return waitMs;
  }
  sentAt.set(robot, [...recent, nowMs]);
  return undefined;
}

/** Robot → until when its vendor refuses it everything, and why (DingTalk's 10 minutes after 130101). */
const heldUntil = new Map<string, { readonly untilMs: number; readonly why: string }>();

/**
 * The vendor said it refuses this robot everything until `untilMs` (DingTalk throttles a robot for 10
 * minutes once it went over 20 a minute, whoever sent them): no run of this process sends to it before,
 * since each message then is one more over the cap, and refused.
 */
export function holdRobot(robot: string, untilMs: number, why: string): void {
  const held = heldUntil.get(robot);
  if (!held || held.untilMs < untilMs) heldUntil.set(robot, { untilMs, why });
}

/** The hold on `robot` at `nowMs`, if any. */
export function robotHold(robot: string, nowMs: number): { readonly untilMs: number; readonly why: string } | undefined {
  const held = heldUntil.get(robot);
  if (held && held.untilMs <= nowMs) heldUntil.delete(robot);
  return held && held.untilMs > nowMs ? held : undefined;
}

/** Forgets every send and hold, as a fresh instance would: for tests that play many runs against one robot. */
export function forgetRobotSends(): void {
  sentAt.clear();
  heldUntil.clear();
}
