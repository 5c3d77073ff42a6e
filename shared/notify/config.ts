/**
 * Notification settings from environment variables. Problems come back as "VARIABLE: what is wrong"
 * strings, for the main configuration to merge into its single error message. A robot URL carries its
 * token (DingTalk access_token, WeCom key, Feishu hook id, Slack path) and is as secret as the signing
 * secrets: no message ever echoes a URL or a secret, only what is wrong with it.
 */
// The leaf module, not config/index.js: the main configuration imports this one.
import { echoed, envText, type Env } from '../config/env.js';

export type NotifyOn = 'changes' | 'failures' | 'always';
export type ChannelName = 'dingtalk' | 'feishu' | 'wecom' | 'slack' | 'webhook';
export const CHANNEL_NAMES: readonly ChannelName[] = ['dingtalk', 'feishu', 'wecom', 'slack', 'webhook'];

export interface ChannelTarget {
  readonly url: string;
  /** The signing secret (DingTalk 加签, Feishu 签名校验, our webhook's HMAC); never for WeCom or Slack. */
  readonly secret?: string | undefined;
}

export interface NotifyConfig {
  readonly on: NotifyOn;
  readonly atRiskDays: number;
  /** Read the renewal list (QueryType=1) on every run. */
  readonly watchRenewals: boolean;
  readonly channels: Readonly<Partial<Record<ChannelName, ChannelTarget>>>;
}

/**
 * When a notification setting is wrong, `channels` still holds the robots whose own variables are right:
 * the run that cannot start because of it is told to them (notifyStartFailure), since a typo in NOTIFY_ON
 * or another robot's URL does not stop these from being reached.
 */
type NotifyConfigResult =
  | { readonly ok: true; readonly config: NotifyConfig }
  | { readonly ok: false; readonly problems: readonly string[]; readonly channels: Readonly<Partial<Record<ChannelName, ChannelTarget>>> };

/** Variable names per channel; WeCom and Slack have no signing secret (the URL is the credential). */
const CHANNEL_VARIABLES: Readonly<Record<ChannelName, { readonly url: string; readonly secret?: string }>> = {
  dingtalk: { url: 'NOTIFY_DINGTALK_URL', secret: 'NOTIFY_DINGTALK_SECRET' },
  feishu: { url: 'NOTIFY_FEISHU_URL', secret: 'NOTIFY_FEISHU_SECRET' },
  wecom: { url: 'NOTIFY_WECOM_URL' },
  slack: { url: 'NOTIFY_SLACK_URL' },
  webhook: { url: 'NOTIFY_WEBHOOK_URL', secret: 'NOTIFY_WEBHOOK_SECRET' },
};

/** Every variable loadNotifyConfig reads, for the check of unknown names (config.ts). */
export const NOTIFY_VARIABLES: readonly string[] = ['NOTIFY_ON', 'NOTIFY_AT_RISK_DAYS', 'REDEEM_WATCH_RENEWALS', ...Object.values(CHANNEL_VARIABLES).flatMap((v) => [v.url, ...(v.secret ? [v.secret] : [])])];

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost']);
const MAX_AT_RISK_DAYS = 365;

export function loadNotifyConfig(env: Env): NotifyConfigResult {
  const problems: string[] = [];
  const read = (name: string): string | undefined => envText(env, name);

  const onText = read('NOTIFY_ON') ?? 'changes';
  const on = onText === 'changes' || onText === 'failures' || onText === 'always' ? onText : undefined;
  if (!on) problems.push(`NOTIFY_ON: expected "changes", "failures" or "always", got ${echoed(onText)}`);

  const daysText = read('NOTIFY_AT_RISK_DAYS') ?? '3';
  const atRiskDays = /^\d{1,3}$/.test(daysText) && Number(daysText) <= MAX_AT_RISK_DAYS ? Number(daysText) : undefined;
  if (atRiskDays === undefined) problems.push(`NOTIFY_AT_RISK_DAYS: expected a whole number from 0 to ${MAX_AT_RISK_DAYS}, got ${echoed(daysText)}`);

  const watchText = read('REDEEM_WATCH_RENEWALS') ?? 'true';
  const watchRenewals = /^true$/i.test(watchText) ? true : /^false$/i.test(watchText) ? false : undefined;
  if (watchRenewals === undefined) problems.push(`REDEEM_WATCH_RENEWALS: expected "true" or "false", got ${echoed(watchText)}`);

  const channels: Partial<Record<ChannelName, ChannelTarget>> = {};
  for (const name of CHANNEL_NAMES) {
    const variables = CHANNEL_VARIABLES[name];
    const url = read(variables.url);
    const secret = variables.secret ? read(variables.secret) : undefined;
    if (url === undefined) {
      if (secret !== undefined) problems.push(`${variables.secret}: is set but ${variables.url} is not`);
      continue;
    }
    const wrong = urlProblem(url);
    if (wrong) problems.push(`${variables.url}: ${wrong}`);
    else channels[name] = { url, secret };
  }

  if (problems.length > 0 || !on || atRiskDays === undefined || watchRenewals === undefined) return { ok: false, problems, channels };
  return { ok: true, config: { on, atRiskDays, watchRenewals, channels } };
}

/** What is wrong with a robot URL, in words that never repeat any part of it. */
function urlProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'is not a URL (expected https://…)';
  }
  if (url.protocol === 'https:') return url.hostname === '' ? 'has no host' : undefined;
  if (url.protocol === 'http:') return LOCAL_HOSTS.has(url.hostname) ? undefined : 'must be https (http only for 127.0.0.1 or localhost)';
  return 'must be an https URL';
}
