/** JSON from an untrusted answer: the value, or undefined when the text is not JSON (never a throw). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
