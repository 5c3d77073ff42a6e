import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../shared/config/config.js';
import { MissingCredentialsError } from '../../shared/config/credentials.js';
import { DomainApiError } from '../../shared/domain-api/errors.js';
import { UserError, errorBody, errorMessage, exitCodeFor, httpStatusFor, toUserError, type UserErrorCode } from '../../shared/errors/index.js';
import { MalformedEventError } from '../../shared/fc/events.js';
import { RunOptionsError } from '../../shared/run/options.js';

/**
 * The table, written out: every code a user can cause, its HTTP status and its CLI exit code (2: fix what
 * you asked for; 1: the run itself failed). `satisfies` makes a new code without a row a type error.
 */
const EXPECTED = {
  usage: [400, 2],
  'bad-configuration': [500, 2],
  'missing-credentials': [500, 2],
  'invalid-options': [400, 2],
  'escalation-refused': [403, 2],
  'malformed-event': [400, 2],
  'invalid-json': [400, 2],
  unauthorized: [401, 2],
  replayed: [409, 2],
  'payload-too-large': [413, 2],
  'unsupported-encoding': [415, 2],
  'webhook-disabled': [503, 2],
  'instance-stopping': [503, 2],
  'not-found': [404, 2],
  'method-not-allowed': [405, 2],
  'account-refused': [403, 2],
  'internal-error': [500, 1],
} as const satisfies Record<UserErrorCode, readonly [number, 1 | 2]>;

describe('one table from error code to HTTP status and exit code', () => {
  it.each(Object.entries(EXPECTED) as Array<[UserErrorCode, readonly [number, 1 | 2]]>)('%s: HTTP %j', (code, [status, exit]) => {
    const error = new UserError(code, 'what to fix');
    expect(httpStatusFor(error)).toBe(status);
    expect(exitCodeFor(error)).toBe(exit);
  });

  it('the errors of each folder carry their code, and so their status and exit code', () => {
    const cases: Array<[UserError, UserErrorCode]> = [
      [new ConfigError([{ variable: 'REDEEM_MODE', message: 'must be dry-run or live' }]), 'bad-configuration'],
      [new MissingCredentialsError(), 'missing-credentials'],
      [new RunOptionsError('mode: must be dry-run or live', 'invalid-options'), 'invalid-options'],
      [new RunOptionsError('live was asked of a dry-run function', 'escalation-refused'), 'escalation-refused'],
      [new MalformedEventError('not an FC event'), 'malformed-event'],
    ];
    for (const [error, code] of cases) {
      expect(error).toBeInstanceOf(UserError);
      expect(error.code).toBe(code);
      expect([httpStatusFor(error), exitCodeFor(error)]).toEqual(EXPECTED[code]);
    }
  });

  it('keeps the cause it is given', () => {
    const cause = new SyntaxError('Unexpected token');
    expect(new UserError('invalid-json', 'The body is not JSON', { cause }).cause).toBe(cause);
  });
});

describe('toUserError', () => {
  it('answers a user error as it is', () => {
    const error = new RunOptionsError('domains: must be an array', 'invalid-options');
    expect(toUserError(error)).toBe(error);
  });

  it('hides anything else behind an opaque internal error that says where to look', () => {
    const leaks = [
      new Error('connect ECONNREFUSED 10.0.0.7:443 with secret s3cr3t-value'),
      new DomainApiError({ action: 'QueryDomainList', code: 'InternalError', message: 'internal detail', requestId: 'r-1', httpStatus: 500, retryAfterMs: undefined }),
      'a thrown string s3cr3t-value',
      undefined,
      { code: 'usage', message: 'an object that looks like a user error' },
    ];
    for (const thrown of leaks) {
      const shown = toUserError(thrown);
      expect(shown.code).toBe('internal-error');
      expect(shown.message).toBe('The run could not complete; see the function log for the request id');
      expect(JSON.stringify(errorBody(shown))).not.toMatch(/s3cr3t|10\.0\.0\.7|internal detail|looks like/);
      expect([httpStatusFor(shown), exitCodeFor(shown)]).toEqual([500, 1]);
    }
  });
});

describe('errorBody and errorMessage', () => {
  it('the JSON body every HTTP answer uses: code and message only', () => {
    const error = new UserError('unauthorized', 'x-redeem-signature does not match', { cause: new Error('hidden') });
    expect(errorBody(error)).toEqual({ error: { code: 'unauthorized', message: 'x-redeem-signature does not match' } });
  });

  it('the message of anything thrown', () => {
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('text')).toBe('text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
