/**
 * What InvokeFunction hands the function is whatever bytes the caller sent (`s invoke --event-file`, an
 * SDK). JSON text may begin with a UTF-8 byte order mark (editors on Windows save one); RFC 8259 lets a
 * parser ignore it, and refusing it as "not JSON" sends a person hunting for an invisible character.
 */
import { describe, expect, it } from 'vitest';
import { decodeEvent, optionsFromEvent } from '../../shared/fc/events.js';

describe('decodeEvent', () => {
  it('reads an event that begins with a UTF-8 byte order mark', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"mode":"dry-run","reason":"from a file"}')]);
    expect(decodeEvent(bytes)).toEqual({ mode: 'dry-run', reason: 'from a file' });
    expect(optionsFromEvent(decodeEvent(bytes))).toEqual({ trigger: 'invoke', options: { mode: 'dry-run', reason: 'from a file' } });
  });
});
