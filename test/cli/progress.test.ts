/** Progress on a terminal, and the CLI's streams on a process, with fake streams. */
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { processIo, quietOnClosedPipe } from '../../shared/cli/process-io.js';
import { progressLine, terminalProgress } from '../../shared/cli/progress.js';

const runRedemption = vi.hoisted(() => vi.fn());
vi.mock('../../shared/run/run.js', () => ({ runRedemption }));
const { main } = await import('../../shared/cli/main.js');

class FakeStream extends EventEmitter {
  written = '';
  destroyed = false;
  constructor(readonly isTTY: boolean) {
    super();
  }
  write(text: string): boolean {
    this.written += text;
    return true;
  }
}

describe('progressLine', () => {
  it('one short line per phase', () => {
    expect(progressLine({ phase: 'listing', done: 300 })).toBe('listing domains in redemption: 300 found…');
    expect(progressLine({ phase: 'listing', done: 300, total: 493 })).toBe('listing domains in redemption: 300/493 found…');
    expect(progressLine({ phase: 'ledger', done: 100 })).toBe('reading the task ledger: 100 tasks…');
    expect(progressLine({ phase: 'submitting', done: 3, total: 10 })).toBe('submitting 3/10…');
    expect(progressLine({ phase: 'following', done: 2, total: 7 })).toBe('following 7 tasks… 2 final');
    expect(progressLine({ phase: 'following', done: 0, total: 1 })).toBe('following 1 task… 0 final');
  });
});

describe('terminalProgress', () => {
  it('rewrites one line in place and erases it before other output; a failing write never throws', () => {
    let text = '';
    const progress = terminalProgress((t) => (text += t));
    progress.clear();
    expect(text).toBe('');
    progress.show({ phase: 'submitting', done: 1, total: 2 });
    progress.show({ phase: 'submitting', done: 2, total: 2 });
    progress.clear();
    progress.clear();
    expect(text).toBe('\r\x1b[Ksubmitting 1/2…\r\x1b[Ksubmitting 2/2…\r\x1b[K');
    const broken = terminalProgress(() => {
      throw new Error('EIO');
    });
    expect(() => broken.show({ phase: 'ledger', done: 0 })).not.toThrow();
  });
});

describe('processIo', () => {
  it('progress only when stderr is a terminal; other output erases the progress line first', () => {
    const stdout = new FakeStream(false);
    const stderr = new FakeStream(true);
    const io = processIo({ env: {}, stdout, stderr });
    io.onProgress!({ phase: 'following', done: 1, total: 3 });
    io.out('table\n');
    expect(stderr.written).toBe('\r\x1b[Kfollowing 3 tasks… 1 final\r\x1b[K');
    expect(stdout.written).toBe('table\n');
    expect(processIo({ env: {}, stdout: new FakeStream(true), stderr: new FakeStream(false) }).onProgress).toBeUndefined();
  });

  it('after EPIPE the stream is quiet; any other stream error still surfaces', () => {
    const stream = new FakeStream(false);
    const write = quietOnClosedPipe(stream);
    write('a');
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    write('b');
    expect(stream.written).toBe('a');
    expect(() => stream.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).toThrow('EIO');
  });
});

describe('main', () => {
  it('passes the progress hook to the run as onProgress', async () => {
    runRedemption.mockRejectedValueOnce(new Error('stop here'));
    const onProgress = () => undefined;
    const env = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'secret' };
    const code = await main(['plan'], { env, out: () => undefined, err: () => undefined, onProgress });
    expect(code).toBe(1);
    expect(runRedemption).toHaveBeenCalledWith(expect.objectContaining({ onProgress, trigger: 'cli' }));
  });
});
