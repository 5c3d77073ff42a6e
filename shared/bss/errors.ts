/**
 * Typed BSS errors. They extend the Domain API's error so that the shared retry rules (throttling, 5xx)
 * and errorCode() treat every Alibaba Cloud RPC answer alike; the name says which API refused.
 */
import { DomainApiError } from '../domain-api/index.js';

/** BSS answered with an error body (on any status, or a 200 whose Success is false). */
export class BssApiError extends DomainApiError {
  override readonly name: string = 'BssApiError';
}

/** RAM refused the call: the identity needs bss:DescribeAcccount (see ram-policy.json). */
export class BssForbiddenError extends BssApiError {
  override readonly name = 'BssForbiddenError';
}
