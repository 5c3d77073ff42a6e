/** JSON from an untrusted answer: the value, or undefined when the text is not JSON (never a throw). */
export function parseJsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The first object key that `text` (valid JSON: call it after JSON.parse succeeded) names twice in one
 * object, or undefined. RFC 8259 leaves duplicate names to the parser: JSON.parse keeps the last value,
 * many parsers the first, so a caller that checked what it sends may mean the other one. One pass over
 * the text, strings skipped with their escapes; bounded by the text's length.
 */
export function duplicateKey(text: string): string | undefined {
  // One entry per open container: the keys of an object, or null for an array.
  const open: Array<Set<string> | null> = [];
  let atKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      let escaped = false;
      while (end < text.length && text[end] !== '"') {
        if (text[end] === '\\') escaped = true;
        end += text[end] === '\\' ? 2 : 1;
      }
      const keys = open.at(-1);
      if (atKey && keys) {
        // Without an escape a key is its characters as they stand (valid JSON holds no raw control
        // character); JSON.parse of each key was most of the time spent on an event of a million keys.
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        if (keys.has(key)) return key;
        keys.add(key);
      }
      atKey = false;
      i = end;
    } else if (c === '{') {
      open.push(new Set());
      atKey = true;
    } else if (c === '[') {
      open.push(null);
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      atKey = open.at(-1) instanceof Set;
    }
  }
  return undefined;
}

/** UTF-16: its byte order mark, or the NUL bytes of ASCII in it (what Windows PowerShell 5.1 writes with `>`). */
export function looksUtf16(raw: Uint8Array): boolean {
  return (raw[0] === 0xff && raw[1] === 0xfe) || (raw[0] === 0xfe && raw[1] === 0xff) || raw.includes(0);
}
