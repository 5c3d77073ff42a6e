/**
 * A robot whose TLS certificate this machine refuses (a proxy that intercepts HTTPS, a captive portal, the
 * wrong host in the URL) fails in the handshake, before a byte of the message is sent: node says so with
 * its certificate codes (DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, CERT_HAS_EXPIRED, …).
 * The record must not say the robot "may have posted it" (a person then looks for it in the group, or
 * believes it was told), and must say where to look.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { decision, runRecord } from '../support/notify.js';

const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);

/** What node's https client throws for a refused certificate (the error's code, as tls sets it). */
function certificateError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('a robot whose certificate is refused', () => {
  it.each([
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', "Hostname/IP does not match certificate's altnames"],
    ['CERT_HAS_EXPIRED', 'certificate has expired'],
  ])('%s: said to be the certificate, nothing sent, and where to look', async (code, words) => {
    const [result] = (
      await sendNotifications({ channels: { dingtalk: { url: 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef' } } }, report, {
        deadlineMs: Date.now() + 10_000,
        now: Date.now,
        sleep: async () => {},
        send: async () => {
          throw certificateError(code, words);
        },
      })
    ).filter((r) => r.status !== 'off');
    expect(result).toMatchObject({ channel: 'dingtalk', status: 'failed', code });
    expect(result!.message).not.toMatch(/may have posted/);
    expect(result!.message).toMatch(/certificate.*nothing was sent.*NOTIFY_DINGTALK_URL/);
  });
});
