/**
 * Denies actions as RAM would when the caller's policy lacks them: HTTP 403, Code Forbidden (the code the
 * Domain API's error table gives for "not authorised"), in the gateway's error body. Set with --deny or
 * at run time: POST /__emulator/deny with a comma-separated list of actions (an empty body clears it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ApiAnswer } from './domain-service.js';
import { BSS_HOST_ID } from './bss-service.js';

const HOST_BY_VERSION: Readonly<Record<string, string>> = {
  '2017-12-18': 'domain-intl.aliyuncs.com',
  '2018-01-29': 'domain.aliyuncs.com',
  '2017-12-14': BSS_HOST_ID,
};

export class DenyList {
  readonly actions = new Set<string>();

  constructor(actions: readonly string[] = []) {
    this.set(actions);
  }

  set(actions: readonly string[]): void {
    this.actions.clear();
    for (const action of actions) if (action.trim()) this.actions.add(action.trim());
  }

  /** The 403 answer for a denied action, or undefined when it is allowed. */
  answer(action: string, version: string | undefined, requestId: string): ApiAnswer | undefined {
    if (!this.actions.has(action)) return undefined;
    return {
      status: 403,
      body: {
        RequestId: requestId,
        HostId: HOST_BY_VERSION[version ?? ''] ?? 'aliyuncs.com',
        Code: 'Forbidden',
        Message: 'User not authorized to operate on the specified resource.',
        Recommend: `https://api.aliyun.com/troubleshoot?q=Forbidden&product=${version === '2017-12-14' ? 'BssOpenApi' : 'Domain'}`,
      },
    };
  }

  /** POST /__emulator/deny: replaces the list. */
  route = (req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): boolean => {
    if (url.pathname !== '/__emulator/deny' || req.method !== 'POST') return false;
    this.set(body.toString('utf8').split(','));
    const text = JSON.stringify({ deny: [...this.actions] });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
    return true;
  };
}
