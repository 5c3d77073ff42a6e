/**
 * The clock check's probe: one signed QueryDomainList (one domain, page 1) whose Date header is compared
 * with the local clock. It is its own request, not the client's, because the interesting case is the
 * refused one: beyond 15 minutes of skew the API answers InvalidTimeStamp.Expired, and its Date header
 * still says by how much.
 */
import { headerValue, send } from '../http/index.js';
import { formatQuery, signAcs3, type Credentials } from '../signing/index.js';
import { fromTransportFailure } from '../domain-api/index.js';
import { parseJsonOrUndefined } from '../validation/index.js';
import type { ApiClockReading } from './ports.js';

interface ClockProbeOptions {
  /** The Domain API endpoint and version of the configured site. */
  readonly endpoint: string;
  readonly version: string;
  readonly credentials: Credentials;
  readonly now?: () => number;
  readonly timeoutMs?: number;
}

export async function probeApiClock(options: ClockProbeOptions): Promise<ApiClockReading> {
  const now = options.now ?? Date.now;
  const signed = signAcs3(
    {
      method: 'POST',
      url: `${options.endpoint.replace(/\/+$/, '')}/?${formatQuery([['PageNum', '1'], ['PageSize', '1']])}`,
      headers: [
        ['x-acs-action', 'QueryDomainList'],
        ['x-acs-version', options.version],
        ['accept', 'application/json'],
        ['user-agent', 'domain-redeemer/0.1 (doctor)'],
      ],
    },
    options.credentials,
    { now: () => new Date(now()) },
  );
  const started = now();
  let answer;
  try {
    answer = await send({ ...signed, timeoutMs: options.timeoutMs ?? 10_000, maxBodyBytes: 1024 * 1024 });
  } catch (error) {
    // The same error as any read's, so the doctor's fix names the network, not the README's error table.
    throw fromTransportFailure('QueryDomainList', error);
  }
  const localMs = Math.round((started + now()) / 2);
  const date = Date.parse(headerValue(answer.headers, 'date') ?? '');
  let code: string | undefined;
  if (answer.status < 200 || answer.status >= 300) {
    const body = parseJsonOrUndefined(answer.body.toString('utf8')) as { Code?: unknown } | undefined;
    code = typeof body?.Code === 'string' ? body.Code : `HTTP${answer.status}`;
  }
  return { serverDateMs: Number.isFinite(date) ? date : undefined, localMs, httpStatus: answer.status, code };
}
