/** The published signature vectors, copied into test/fixtures/test-vectors.json (its _source key says from where). */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Vector {
  readonly id: string;
  readonly scheme: string;
  readonly published: boolean;
  readonly inputs: Record<string, any>;
  readonly expected: Record<string, any>;
  readonly derived?: Record<string, any>;
}

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** A JSON fixture without its `_source` / `$comment` provenance key. */
export function readFixture(name: string): any {
  const { _source: _s, $comment: _c, ...rest } = JSON.parse(readFileSync(`${FIXTURES_DIR}${name}`, 'utf8'));
  return rest;
}

export const vectors: Vector[] = readFixture('test-vectors.json').vectors;

export function vectorsOf(scheme: string): Vector[] {
  return vectors.filter((v) => v.scheme === scheme);
}
