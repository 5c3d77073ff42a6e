/** The published signature vectors in ../shared/reference/test-vectors.json (beside the checkout). */
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

export const REFERENCE_DIR = fileURLToPath(new URL('../../../shared/reference/', import.meta.url));

export const vectors: Vector[] = JSON.parse(readFileSync(`${REFERENCE_DIR}test-vectors.json`, 'utf8')).vectors;

export function vectorsOf(scheme: string): Vector[] {
  return vectors.filter((v) => v.scheme === scheme);
}
