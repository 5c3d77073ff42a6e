/** A port already in use: one line naming the port and what changes it, no stack trace. */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, spawnEntry } from '../support/spawn.js';

let busy: Server;
let port: number;
beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  port = (busy.address() as { port: number }).port;
});
afterAll(() => new Promise((resolve) => busy.close(resolve)));

function expectOneLine(stderr: string, remedy: RegExp): void {
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(stderr).toContain(`port ${port} is already in use`);
  expect(stderr).toMatch(remedy);
  expect(stderr).not.toMatch(/\n\s+at |EADDRINUSE/);
}

describe('port already in use', () => {
  it('npm run emulator -- --port <busy>: exit 2, names --port', async () => {
    const { code, stderr } = await finished(spawnEntry('test/emulator/cli.ts', ['--port', String(port), '--domains', '5']));
    expect(code).toBe(2);
    expectOneLine(stderr, /^emulator: .*--port <n>/);
  });

  it('npm run dev with FC_CUSTOM_LISTEN_PORT=<busy>: exit 2, names FC_CUSTOM_LISTEN_PORT', async () => {
    const { code, stderr } = await finished(spawnEntry('scripts/dev.ts', [], { FC_CUSTOM_LISTEN_PORT: String(port) }));
    expect(code).toBe(2);
    expectOneLine(stderr, /^dev: .*FC_CUSTOM_LISTEN_PORT/);
  });

  it('the custom-runtime server (functions/redeem/server.ts): exit 1, names FC_CUSTOM_LISTEN_PORT', async () => {
    const { code, stderr } = await finished(spawnEntry('functions/redeem/server.ts', [], { FC_CUSTOM_LISTEN_PORT: String(port) }));
    expect(code).toBe(1);
    expectOneLine(stderr, /^domain-redeemer: .*FC_CUSTOM_LISTEN_PORT/);
  });

  it('a port that is not a number is refused the same way', async () => {
    const { code, stderr } = await finished(spawnEntry('functions/redeem/server.ts', [], { FC_CUSTOM_LISTEN_PORT: '90000' }));
    expect(code).toBe(1);
    expect(stderr).toBe('domain-redeemer: FC_CUSTOM_LISTEN_PORT must be a port number from 0 to 65535, got "90000"\n');
  });
});
