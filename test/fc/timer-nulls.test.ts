/**
 * FC's timer event (test/fixtures/fc-events/timer-event.json: triggerTime, triggerName, payload) with null or
 * another type in triggerTime or triggerName is still the timer's: read as a direct invocation, its three
 * fields were refused as unknown run options with trigger "invoke", so s.yaml's daily run failed as a
 * caller's bad request, which is answered to nobody and told to no one. No run option is named like them
 * (the options schema is strict), so the two names together are the timer's whatever their values.
 */
import { describe, expect, it } from 'vitest';
import { optionsFromEvent } from '../../shared/fc/events.js';
import { readFixture } from '../support/vectors.js';

const sample = readFixture('fc-events/timer-event.json');

describe('a timer event with null in its fields', () => {
  it.each([
    ['triggerTime: null', { triggerTime: null }],
    ['triggerName: null', { triggerName: null }],
    ['both null', { triggerTime: null, triggerName: null }],
    ['triggerTime in epoch seconds', { triggerTime: 1764550800 }],
  ])('%s: the timer, its payload the options', (_name, change) => {
    expect(optionsFromEvent({ ...sample, ...change, payload: '{"reason":"daily timer"}' })).toEqual({ trigger: 'timer', options: { reason: 'daily timer' } });
  });

  it('payload: null as well: the timer with no options', () => {
    expect(optionsFromEvent({ triggerTime: null, triggerName: 'daily', payload: null })).toEqual({ trigger: 'timer', options: {} });
  });

  it('an invocation that names only one of the two is not a timer (its options are judged as such)', () => {
    expect(optionsFromEvent({ triggerName: 'daily', reason: 'x' })).toEqual({ trigger: 'invoke', options: { triggerName: 'daily', reason: 'x' } });
  });
});
