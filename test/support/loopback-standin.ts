/** What every vendor stand-in shares: an HTTP server on 127.0.0.1, on a port the system picks. */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export abstract class LoopbackStandin {
  protected readonly server = createServer((req, res) => this.handle(req, res));
  private port = 0;

  protected abstract handle(req: IncomingMessage, res: ServerResponse): void;

  /** After listening, before start() resolves. */
  protected onStarted(): void {}

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.onStarted();
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
