import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger, stdoutWriter } from '../../shared/log/index.js';

function capture() {
  const lines: string[] = [];
  return { lines, write: (line: string) => lines.push(line) };
}

describe('logger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('one flat JSON object per line: kind first, then the stamped fields, then the record; undefined left out', () => {
    const { lines, write } = capture();
    const logger = createLogger(write, { run_id: 'r-1', fc_request_id: undefined, mode: 'live' });
    const written = logger.record({ domain: 'a.com', task_no: undefined, days_left: 3, reconciled: false, kind: 'decision' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toBe('{"kind":"decision","run_id":"r-1","mode":"live","domain":"a.com","days_left":3,"reconciled":false}');
    // What was written is answered (for SLS), without the undefined fields either.
    expect(written).toEqual({ kind: 'decision', run_id: 'r-1', mode: 'live', domain: 'a.com', days_left: 3, reconciled: false });
    expect(Object.keys(written)).not.toContain('task_no');
  });

  it('a record without kind has none; a field of the record wins over a stamped one', () => {
    const { lines, write } = capture();
    createLogger(write, { run_id: 'r-1', trigger: 'timer' }).record({ trigger: 'cli', note: 'x' });
    expect(JSON.parse(lines[0]!)).toEqual({ run_id: 'r-1', trigger: 'cli', note: 'x' });
    expect(Object.keys(JSON.parse(lines[0]!))[0]).toBe('run_id');
  });

  it('a value with a line break stays on one line', () => {
    const { lines, write } = capture();
    createLogger(write).record({ kind: 'task', error_message: 'first\nsecond\r\nthird' });
    expect(lines[0]).not.toMatch(/[\r\n]/);
    expect(JSON.parse(lines[0]!).error_message).toBe('first\nsecond\r\nthird');
  });

  it('error lines carry level ERROR, the message and the stamped fields', () => {
    const { lines, write } = capture();
    createLogger(write, { fc_request_id: 'q-1' }).error('the run could not start', { error_code: 'bad-configuration', detail: undefined });
    expect(lines[0]).toBe('{"fc_request_id":"q-1","level":"ERROR","message":"the run could not start","error_code":"bad-configuration"}');
  });

  it('raw lines go out as they are, unstamped', () => {
    const { lines, write } = capture();
    createLogger(write, { run_id: 'r-1' }).raw('FC Invoke Start RequestId: q-1');
    expect(lines).toEqual(['FC Invoke Start RequestId: q-1']);
  });

  it('with stacks: each child adds its fields (the later one wins), the parent is unchanged', () => {
    const { lines, write } = capture();
    const root = createLogger(write, { fc_request_id: 'q-1' });
    const run = root.with({ run_id: 'r-1', mode: 'dry-run' });
    const narrowed = run.with({ mode: 'live', trigger: 'webhook' });
    narrowed.record({ kind: 'run', outcome: 'started' });
    run.record({ kind: 'run', outcome: 'started' });
    root.record({ kind: 'run', outcome: 'started' });
    narrowed.error('late', {});
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { kind: 'run', fc_request_id: 'q-1', run_id: 'r-1', mode: 'live', trigger: 'webhook', outcome: 'started' },
      { kind: 'run', fc_request_id: 'q-1', run_id: 'r-1', mode: 'dry-run', outcome: 'started' },
      { kind: 'run', fc_request_id: 'q-1', outcome: 'started' },
      { fc_request_id: 'q-1', run_id: 'r-1', mode: 'live', trigger: 'webhook', level: 'ERROR', message: 'late' },
    ]);
  });

  it('the default writer is stdout, one line each', () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    stdoutWriter('{"kind":"run"}');
    createLogger().record({ kind: 'watch', domain: 'a.com' });
    expect(written).toEqual(['{"kind":"run"}\n', '{"kind":"watch","domain":"a.com"}\n']);
  });
});
