/**
 * The server's wait given as an HTTP date (RFC 9110 10.2.3 allows `Retry-After: <IMF-fixdate>` as well as
 * seconds; a gateway in front of the API may write x-acs-retry-after so too): the wait is until that date,
 * on the run's clock, not a backoff of a few hundred milliseconds into another refusal. A date already past
 * is no wait of the server's (the backoff alone).
 */
import { describe, expect, it } from 'vitest';
import { cannedServer, type CannedAnswer } from '../support/canned-server.js';
import { ALL_TASKS, clientAt } from '../support/emulator.js';
import { fakeClock } from '../support/fake-clock.js';

const START = Date.UTC(2026, 11, 1, 12);
/** 7 s after the clock's start, as an IMF-fixdate ("Tue, 01 Dec 2026 12:00:07 GMT"). */
const SEVEN_S_LATER = new Date(START + 7_000).toUTCString();
const OK: CannedAnswer = { body: { RequestId: 'R', NextPage: false } };

async function waitsAfter(first: CannedAnswer): Promise<number[]> {
  let n = 0;
  const server = await cannedServer(() => (++n === 1 ? first : OK));
  try {
    const clock = fakeClock(START);
    await clientAt(server.url, { clock, deadlineMs: START + 60_000 }).queryTaskList(ALL_TASKS);
    return clock.sleeps;
  } finally {
    await server.close();
  }
}

describe('a wait given as an HTTP date', () => {
  it(`a bare 429 with Retry-After: ${SEVEN_S_LATER}: the read waits 7 s`, async () => {
    expect(await waitsAfter({ status: 429, body: '<html>429 Too Many Requests</html>', headers: { 'content-type': 'text/html', 'retry-after': SEVEN_S_LATER } })).toEqual([7_000]);
  });

  it('a 503 ServiceUnavailable with Retry-After as a date: the read waits until then', async () => {
    expect(await waitsAfter({ status: 503, body: { RequestId: 'R0', Code: 'ServiceUnavailable', Message: 'The request has failed due to a temporary failure of the server.' }, headers: { 'retry-after': SEVEN_S_LATER } })).toEqual([7_000]);
  });

  it('Throttling.User (HTTP 400) with x-acs-retry-after as a date: the read waits until then', async () => {
    expect(await waitsAfter({ status: 400, body: { RequestId: 'R0', Code: 'Throttling.User', Message: 'Request was denied due to user flow control.' }, headers: { 'x-acs-retry-after': SEVEN_S_LATER } })).toEqual([7_000]);
  });

  it('a date already past: the backoff alone (half of 200 ms with random 0.5)', async () => {
    expect(await waitsAfter({ status: 429, body: '', headers: { 'retry-after': new Date(START - 5_000).toUTCString() } })).toEqual([100]);
  });
});
