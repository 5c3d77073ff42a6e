/**
 * FC's context states the function timeout (context.function.timeout). A context that gives it as a string
 * of digits ("600", as the custom runtime's x-fc-function-timeout header does) had it dropped as the wrong
 * type, and a 600 s function ran on a 60 s budget, silently: a run cut at 54 s leaves the rest of the
 * portfolio for tomorrow. A string of digits is the timeout; when none is known, a log line says 60 s is assumed.
 */
import { describe, expect, it } from 'vitest';
import { platformFromHeaders } from '../../functions/redeem/custom-runtime.js';
import { parseContext } from '../../shared/fc/events.js';
import { invokeRun } from '../../shared/fc/invocation.js';
import { createLogger } from '../../shared/log/index.js';

describe('context.function.timeout', () => {
  it('a string of digits is the timeout in seconds', () => {
    expect(parseContext({ function: { name: 'redeem', timeout: '600' } }).function).toEqual({ name: 'redeem', timeout: 600 });
  });

  it('a number is kept; anything else is no timeout, and the rest of the context stays', () => {
    expect(parseContext({ function: { timeout: 300 } }).function?.timeout).toBe(300);
    for (const odd of ['', ' ', '6.5s', '-5', 'abc', '1e3', null, true]) {
      expect(parseContext({ requestId: 'r-1', function: { name: 'redeem', timeout: odd } })).toMatchObject({ requestId: 'r-1', function: { name: 'redeem' } });
      expect(parseContext({ function: { timeout: odd } }).function?.timeout).toBeUndefined();
    }
  });

  it('no timeout known: a log line says 60 s is assumed', async () => {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(line));
    // No configuration: the run fails at its start, after saying what it assumed.
    await invokeRun('invoke', { mode: 'dry-run' }, { channel: 'event', credentials: undefined, requestId: 'r-2', timeoutSeconds: undefined }, { env: {}, logger }).catch(() => undefined);
    expect(lines.map((l) => JSON.parse(l) as { message?: string }).filter((l) => /timeout/.test(l.message ?? ''))).toEqual([expect.objectContaining({ level: 'WARN', message: expect.stringMatching(/no function timeout.*60 s/) })]);
  });

  it('a timeout known: no such line', async () => {
    const lines: string[] = [];
    const logger = createLogger((line) => lines.push(line));
    await invokeRun('invoke', { mode: 'dry-run' }, { channel: 'event', credentials: undefined, requestId: 'r-3', timeoutSeconds: 600 }, { env: {}, logger }).catch(() => undefined);
    expect(lines.filter((l) => /no function timeout/.test(l))).toEqual([]);
  });
});

/**
 * The custom runtime's x-fc-function-timeout, by the same rule as the context's: read with Number(), "1e9"
 * was a billion seconds (a run budget past any FC timeout: FC stops the invocation first, mid-record, the
 * answer lost), and "0x384" or "9e2" were 900, where the context takes digits only.
 */
describe('x-fc-function-timeout', () => {
  const timeout = (value: string) => platformFromHeaders(new Headers({ 'x-fc-control-path': '/invoke', 'x-fc-function-timeout': value })).timeoutSeconds;
  it('digits are the timeout in seconds; what the context refuses is no timeout here either', () => {
    expect(timeout('900')).toBe(900);
    for (const odd of ['1e9', '9e2', '0x384', '6.5s', '-5', ' ', 'Infinity']) expect([odd, timeout(odd)]).toEqual([odd, undefined]);
  });
});
