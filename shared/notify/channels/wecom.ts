/**
 * WeCom (企业微信) group robot: markdown of at most 4,096 bytes; the `key` in the URL is the only
 * credential (no signing). Success is `errcode: 0`; 45009 is its frequency limit (20 a minute).
 */
import type { ChannelTarget } from '../config.js';
import { composeMessage, MARKDOWN, renderWithin } from '../message.js';
import type { NotificationReport } from '../report.js';
import { JSON_HEADERS, judgeJsonCode, sharedRobotRemedy, type Channel, type OutgoingRequest } from './channel.js';

const WECOM_MARKDOWN_LIMIT = 4_096;
const RATE_LIMIT = new Set([45009]);

export function wecomRequest(target: ChannelTarget, report: NotificationReport): OutgoingRequest {
  const content = renderWithin(composeMessage(report), MARKDOWN, WECOM_MARKDOWN_LIMIT, (text) => text);
  return { url: target.url, headers: JSON_HEADERS, body: JSON.stringify({ msgtype: 'markdown', markdown: { content } }) };
}

export const wecom: Channel = {
  name: 'wecom',
  caps: [{ messages: 20, perMs: 60_000 }],
  request: wecomRequest,
  judge: (answer) => judgeJsonCode(answer, (json) => ({ code: json.errcode, message: json.errmsg }), RATE_LIMIT, {
      urlVariable: 'NOTIFY_WECOM_URL',
      // 93000: the key is no robot's (removed from the group, or the URL not copied whole).
      forCode: (code) => (code === 93000 ? 'NOTIFY_WECOM_URL: WeCom knows no robot with this key (removed, or the URL not copied whole)' : RATE_LIMIT.has(code) ? sharedRobotRemedy('NOTIFY_WECOM_URL') : undefined),
    }),
};
