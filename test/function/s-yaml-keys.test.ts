/**
 * Every key of s.yaml's props is one the fc3 component's schema knows (test/fixtures/fc3-props.schema.json).
 * The schema allows unknown keys everywhere and accepts any trigger config that fits one of eight kinds, so
 * validating against it (s-yaml.test.ts) would pass a typo such as `enabled:` for a timer's `enable:` or
 * `method:` for an HTTP trigger's `methods:`; fc3 would then deploy the trigger without it. This walks the
 * props with the schema's definitions and checks each trigger's config against its own kind's definition
 * (timer: ITimerTriggerConfig, http: IHttpTriggerConfig), with the values function-compute.md section 6.4 allows.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../support/vectors.js';

const doc = parse(readFileSync(new URL('../../s.yaml', import.meta.url), 'utf8'));
const props = doc.resources.redeem.props as Record<string, unknown>;
const schema = readFixture('fc3-props.schema.json');

type Schema = { $ref?: string; properties?: Record<string, Schema>; anyOf?: Schema[]; type?: string | string[]; items?: Schema | Schema[]; additionalProperties?: unknown; enum?: unknown[] };
const deref = (node: Schema): Schema => (node.$ref ? deref(schema.definitions[node.$ref.replace('#/definitions/', '')]) : node);

/** Keys of `value` (at `path`) that `node` does not name, looking through $ref and anyOf; free-form maps (IKV) are skipped. */
function unknownKeys(value: unknown, node: Schema, path: string): string[] {
  const at = deref(node);
  if (Array.isArray(value)) {
    const items = Array.isArray(at.items) ? at.items[0] : at.items;
    return items ? value.flatMap((v, i) => unknownKeys(v, items, `${path}[${i}]`)) : [];
  }
  if (!value || typeof value !== 'object') return [];
  const objects = [at, ...(at.anyOf ?? []).map(deref)].filter((s) => s.properties);
  if (objects.length === 0) return [];
  const known = new Map<string, Schema>();
  for (const s of objects) for (const [k, v] of Object.entries(s.properties!)) if (!known.has(k)) known.set(k, v);
  return Object.entries(value).flatMap(([key, v]) => (known.has(key) ? unknownKeys(v, known.get(key)!, `${path}.${key}`) : [`${path}.${key}`]));
}

describe('s.yaml keys', () => {
  it('every key of props is one the fc3 schema names', () => {
    const rest = { ...props, triggers: undefined };
    expect(unknownKeys(rest, schema, 'props')).toEqual([]);
  });

  it("each trigger's own keys, and its config's keys against its kind's definition", () => {
    const kinds: Record<string, string> = { timer: 'ITimerTriggerConfig', http: 'IHttpTriggerConfig' };
    const triggers = props.triggers as Array<Record<string, any>>;
    for (const trigger of triggers) {
      const { triggerConfig, ...own } = trigger;
      expect(unknownKeys(own, schema.definitions.ITrigger, trigger.triggerName)).toEqual([]);
      const definition = kinds[trigger.triggerType];
      expect(definition, trigger.triggerType).toBeDefined();
      const config = deref({ $ref: `#/definitions/${definition}` });
      expect(Object.keys(triggerConfig).filter((k) => !(k in config.properties!)), trigger.triggerName).toEqual([]);
      for (const required of (config as { required?: string[] }).required ?? []) expect(triggerConfig, `${trigger.triggerName}.${required}`).toHaveProperty(required);
    }
    const timer = triggers.find((t) => t.triggerType === 'timer')!;
    expect(timer.triggerConfig.enable).toBe(true);
    expect(typeof timer.triggerConfig.payload).toBe('string');
    const http = triggers.find((t) => t.triggerType === 'http')!;
    expect(['anonymous', 'function', 'jwt']).toContain(http.triggerConfig.authType);
    for (const method of http.triggerConfig.methods) expect(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']).toContain(method);
    expect(triggers.filter((t) => t.triggerType === 'http')).toHaveLength(1);
  });

  it('the walker catches a typo (so an empty walk cannot pass)', () => {
    expect(unknownKeys({ ...props, triggers: undefined, memorysize: 256 }, schema, 'props')).toEqual(['props.memorysize']);
    expect(unknownKeys({ logConfig: { project: 'p', logstore: 's', logBeginrule: 'None' } }, schema, 'props')).toEqual(['props.logConfig.logBeginrule']);
  });
});
