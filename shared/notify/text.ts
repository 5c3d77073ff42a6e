/**
 * Untrusted text (registrar messages, domain names, vendor answers) made safe to put into a chat
 * message: one line, bounded, and unable to mention people or open a link. `<…>` is how Slack
 * (`<!channel>`), WeCom (`<@user>`) and Feishu (`<at user_id="all">`) spell mentions, and `[…](…)`
 * is a markdown link, so those characters are replaced with look-alikes that mean nothing.
 */
import { WHAT_TO_DO } from '../errors/index.js';

const REPLACEMENTS: Readonly<Record<string, string>> = { '<': '‹', '>': '›', '`': "'", '[': '(', ']': ')' };

/**
 * Bidirectional and invisible format characters: a right-to-left override in a registrar's name makes
 * "pay\u202Elapyap.com" read as another domain, and a zero-width space hides in a name that looks
 * known. Shown as U+FFFD, so that a person sees something is odd. (The joiners U+200C/U+200D, which
 * some scripts need, are kept.)
 */
const FORMAT_CONTROLS = /[\u061c\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g;

export function plainText(value: string, max: number): string {
  const cleaned = value
    .replace(FORMAT_CONTROLS, '\ufffd')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/[<>`[\]]/g, (c) => REPLACEMENTS[c] ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(cleaned);
  return chars.length <= max ? cleaned : `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}


/**
 * plainText for an error message: when it must be cut and ends in what to do about it, the error's own
 * text is cut instead of the advice, which is the part a person acts on (a vendor's message and request
 * id alone can fill the room).
 */
export function errorText(value: string, max: number): string {
  return keepingAdvice(value, max, WHAT_TO_DO);
}

/** How a channel's result message puts what to fix after the vendor's words (channels/channel.ts withRemedy). */
export const CHANNEL_ADVICE = ' → ';

/**
 * plainText for a channel's result message: the vendor's words are cut, never the advice after them.
 * WeCom's 45009 alone (its hint, the caller's IP and a URL) filled the room, and the cut took off the
 * variable to change. The advice is after the last arrow: the vendor's words may hold one, ours do not.
 */
export function channelText(value: string, max: number): string {
  return keepingAdvice(value, max, CHANNEL_ADVICE);
}

function keepingAdvice(value: string, max: number, marker: string): string {
  const whole = plainText(value, max);
  const at = value.lastIndexOf(marker);
  // Uncut (it fits), or no advice to keep: as plainText gives it.
  if (at < 0 || Array.from(plainText(value, Number.MAX_SAFE_INTEGER)).length <= max) return whole;
  const fix = plainText(value.slice(at + marker.length), max);
  const room = max - Array.from(fix).length - marker.length;
  return room < 40 ? whole : `${plainText(value.slice(0, at), room)}${marker}${fix}`;
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
