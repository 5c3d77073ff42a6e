import { describe, expect, it } from 'vitest';
import { loadNotifyConfig } from '../../shared/notify/config.js';

const TOKEN = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c1d2e3f4a5b6c7d8e9f0a1b2';

describe('loadNotifyConfig', () => {
  it('defaults: changes, 3 days, renewals watched, no channel', () => {
    expect(loadNotifyConfig({})).toEqual({ ok: true, config: { on: 'changes', atRiskDays: 3, watchRenewals: true, channels: {} } });
  });

  it('reads every channel, an empty variable counting as unset', () => {
    const result = loadNotifyConfig({
      NOTIFY_ON: 'always',
      NOTIFY_AT_RISK_DAYS: '7',
      REDEEM_WATCH_RENEWALS: 'false',
      NOTIFY_DINGTALK_URL: `https://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
      NOTIFY_DINGTALK_SECRET: 'SECabc',
      NOTIFY_FEISHU_URL: 'https://open.feishu.cn/open-apis/bot/v2/hook/0b8e2f6a-1111-2222-3333-444455556666',
      NOTIFY_FEISHU_SECRET: '',
      NOTIFY_WECOM_URL: 'http://127.0.0.1:8080/__robots/wecom?key=k',
      NOTIFY_SLACK_URL: 'http://localhost:9/__robots/slack/T1/B2/x',
      NOTIFY_WEBHOOK_URL: '  ',
      NOTIFY_WEBHOOK_SECRET: '',
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({ on: 'always', atRiskDays: 7, watchRenewals: false });
    expect(Object.keys(result.config.channels).sort()).toEqual(['dingtalk', 'feishu', 'slack', 'wecom']);
    expect(result.config.channels.dingtalk?.secret).toBe('SECabc');
    expect(result.config.channels.feishu?.secret).toBeUndefined();
  });

  // It takes any case ("TRUE"); a wrong value is quoted as written, not as lower-cased for the comparison.
  it('REDEEM_WATCH_RENEWALS in any case; a wrong one quoted as it was written', () => {
    expect(loadNotifyConfig({ REDEEM_WATCH_RENEWALS: 'FALSE' })).toMatchObject({ ok: true, config: { watchRenewals: false } });
    expect(loadNotifyConfig({ REDEEM_WATCH_RENEWALS: 'Yes' })).toMatchObject({ ok: false, problems: ['REDEEM_WATCH_RENEWALS: expected "true" or "false", got "Yes"'] });
  });

  it('names each wrong variable and never echoes a URL or a secret', () => {
    const result = loadNotifyConfig({
      NOTIFY_ON: 'sometimes',
      NOTIFY_AT_RISK_DAYS: '2.5',
      REDEEM_WATCH_RENEWALS: 'yes',
      NOTIFY_DINGTALK_URL: `http://oapi.dingtalk.com/robot/send?access_token=${TOKEN}`,
      NOTIFY_FEISHU_SECRET: 'feishu-secret-value',
      NOTIFY_WECOM_URL: `qyapi.weixin.qq.com/cgi-bin/webhook/send?key=${TOKEN}`,
      NOTIFY_SLACK_URL: `ftp://hooks.slack.com/services/${TOKEN}`,
      NOTIFY_WEBHOOK_SECRET: 'webhook-secret-value',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems).toEqual([
      'NOTIFY_ON: expected "changes", "failures" or "always", got "sometimes"',
      'NOTIFY_AT_RISK_DAYS: expected a whole number from 0 to 365, got "2.5"',
      'REDEEM_WATCH_RENEWALS: expected "true" or "false", got "yes"',
      'NOTIFY_DINGTALK_URL: must be https (http only for 127.0.0.1 or localhost)',
      'NOTIFY_FEISHU_SECRET: is set but NOTIFY_FEISHU_URL is not',
      'NOTIFY_WECOM_URL: is not a URL (expected https://…)',
      'NOTIFY_SLACK_URL: must be an https URL',
      'NOTIFY_WEBHOOK_SECRET: is set but NOTIFY_WEBHOOK_URL is not',
    ]);
    const text = result.problems.join('\n');
    for (const secret of [TOKEN, 'feishu-secret-value', 'webhook-secret-value', 'dingtalk.com', 'weixin']) expect(text).not.toContain(secret);
  });

  it('does not echo a long value pasted into the wrong variable', () => {
    const result = loadNotifyConfig({ NOTIFY_ON: `https://hooks.slack.com/services/${TOKEN}` });
    expect(result).toEqual({ ok: false, problems: [`NOTIFY_ON: expected "changes", "failures" or "always", got a value of ${`https://hooks.slack.com/services/${TOKEN}`.length} characters, not shown (a URL or a secret in the wrong variable?)`], channels: {} });
    // A typo is quoted, so that a person sees what is wrong.
    expect(loadNotifyConfig({ NOTIFY_ON: 'change' })).toMatchObject({ ok: false, problems: ['NOTIFY_ON: expected "changes", "failures" or "always", got "change"'] });
  });
});
