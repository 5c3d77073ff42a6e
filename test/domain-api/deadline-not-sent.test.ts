/**
 * A call asked for once the run's deadline has passed is not sent (FC may have frozen the instance by the
 * time its bytes would leave). What a person then reads must be the time budget, not a network to mend.
 */
import { describe, expect, it } from 'vitest';
import { systemClock } from '../../shared/clock/index.js';
import { errorCode, explainedMessage, whatToDo } from '../../shared/domain-api/index.js';
import { RpcCaller } from '../../shared/domain-api/rpc.js';
import * as z from 'zod/mini';

describe('a call asked for after the deadline', () => {
  it.each(['QueryAccountBalance', 'AssumeRole', 'QueryDomainList'])('%s: not sent, and told as the time budget, never as "no connection could be made"', async (action) => {
    const caller = new RpcCaller({
      // Nothing listens here: were the request sent, it would fail with a connection error.
      endpoint: 'http://127.0.0.1:9',
      version: '2017-12-14',
      credentials: { accessKeyId: 'ak', accessKeySecret: 'sk' },
      clock: systemClock,
      deadlineMs: Date.now() - 1,
    });
    const error = await caller.read(action, {}, z.object({})).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('Deadline');
    expect(whatToDo(error)).toBeUndefined();
    expect(explainedMessage(error)).toMatch(/no time left before the deadline/);
    expect(explainedMessage(error)).not.toMatch(/no connection could be made/);
  });
});
