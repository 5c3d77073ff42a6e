import { describe, expect, it } from 'vitest';
import { ResponseTooLargeError, send } from '../../shared/http/transport.js';
import { cannedServer } from '../support/canned-server.js';

describe('send with maxBodyBytes', () => {
  it('abandons an answer above the limit and passes one at the limit', async () => {
    const server = await cannedServer(() => ({ body: 'y'.repeat(1000) }));
    try {
      await expect(send({ method: 'GET', url: server.url, headers: [], timeoutMs: 5_000, maxBodyBytes: 999 })).rejects.toBeInstanceOf(ResponseTooLargeError);
      const ok = await send({ method: 'GET', url: server.url, headers: [], timeoutMs: 5_000, maxBodyBytes: 1000 });
      expect(ok.body.length).toBe(1000);
    } finally {
      await server.close();
    }
  });
});
