/**
 * Untrusted text (registrar messages, domain names, vendor answers) made safe to put into a chat
 * message: one line, bounded, and unable to mention people or open a link. `<…>` is how Slack
 * (`<!channel>`), WeCom (`<@user>`) and Feishu (`<at user_id="all">`) spell mentions, and `[…](…)`
 * is a markdown link, so those characters are replaced with look-alikes that mean nothing.
 */
const REPLACEMENTS: Readonly<Record<string, string>> = { '<': '‹', '>': '›', '`': "'", '[': '(', ']': ')' };

export function plainText(value: string, max: number): string {
  const cleaned = value
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[<>`[\]]/g, (c) => REPLACEMENTS[c] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(cleaned);
  return chars.length <= max ? cleaned : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
