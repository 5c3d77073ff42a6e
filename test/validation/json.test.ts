import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duplicateKey } from '../../shared/validation/json.js';

describe('duplicateKey', () => {
  it('finds a name repeated in one object, however it is spelt in JSON, at any depth', () => {
    expect(duplicateKey('{"mode":"dry-run","mode":"live"}')).toBe('mode');
    expect(duplicateKey('{"mode":"dry-run","\\u006dode":"live"}')).toBe('mode');
    expect(duplicateKey('{"domains":["a.com"],"x":{"k":1,"k":2}}')).toBe('k');
    expect(duplicateKey('[{"a":1},{"a":1,"b":[{"c":1,"c":1}]}]')).toBe('c');
  });

  it('does not take values, strings with quotes or braces, or keys of sibling objects for repeats', () => {
    expect(duplicateKey('{"mode":"mode","reason":"\\"mode\\": {,}"}')).toBeUndefined();
    expect(duplicateKey('[{"a":1},{"a":2}]')).toBeUndefined();
    expect(duplicateKey('{"a":{"a":{"a":1}},"b":["a","a"]}')).toBeUndefined();
    expect(duplicateKey('{"a\\\\":1,"a":2}')).toBeUndefined();
    expect(duplicateKey('"just a string"')).toBeUndefined();
  });

  it('finds nothing in whatever JSON.stringify writes (its objects never repeat a key)', () => {
    fc.assert(fc.property(fc.jsonValue(), (value) => duplicateKey(JSON.stringify(value)) === undefined));
  });
});
