/**
 * A value built the first time it is asked for, then kept. zod builds a schema by running code, and
 * whatever runs at module load runs on every cold start: a schema that only some invocations need (an STS
 * answer, an HTTP trigger's event, a price list, an order's answer) is built by those alone.
 */
export function onFirstUse<T>(build: () => T): () => T {
  let built: { readonly value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}
