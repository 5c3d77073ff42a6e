/**
 * DingTalk's 310000 is one code for three security settings, and only its errmsg tells which. Since 2022 the
 * robot words it in Chinese (as quoted from live answers in public issues: jenkins-style "sign not match"
 * is the older form):
 * - keywords: '错误描述:关键词不匹配;解决方案:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;'
 *   (github.com/mggger/chatgpt-bot-dingding issue #2, 2023-02-11);
 * - 加签: 'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，…'
 *   (github.com/qd-today/qd issue #510, 2024-03-01; github.com/megaease/easeprobe issue #202, 2022-08-26).
 * Each must say which setting to fix, as the English words do. Real HTTP to the robot stand-in.
 */
import { describe, expect, it } from 'vitest';
import { sendNotifications } from '../../shared/notify/deliver.js';
import { buildReport } from '../../shared/notify/report.js';
import { chatRobotsPerTest } from '../support/chat-robots.js';
import { decision, runRecord } from '../support/notify.js';

const start = chatRobotsPerTest();
const report = buildReport([decision('shop.com', 1, { action: 'redeem', reason: 'due', outcome: 'succeeded', task_no: 't-1' })], runRecord(), [], 3);

describe('a DingTalk 310000 worded in Chinese', () => {
  it.each([
    ['keywords', '错误描述:关键词不匹配;解决方案:请联系群管理员查看此机器人的关键词，并在发送的信息中包含此关键词;', /add "domain-redeemer" to its keywords/],
    [
      '加签',
      'description:机器人发送签名不匹配;solution:请确认签名和生成签名的时间戳必须都放在调用的网址中，请确认机器人的密钥加密和填写正确;link:请参考本接口对应文档获得具体要求，或者在https://open.dingtalk.com/document/  搜索相关文档;',
      /check NOTIFY_DINGTALK_SECRET/,
    ],
  ])('%s: says which setting to fix', async (_label, errmsg, remedy) => {
    const robots = await start();
    robots.answerWith('dingtalk', { body: { errcode: 310000, errmsg } });
    const [result] = await sendNotifications({ channels: { dingtalk: robots.targets().dingtalk } }, report, { deadlineMs: Date.now() + 8_000, now: Date.now, sleep: async () => undefined });
    expect(result).toMatchObject({ channel: 'dingtalk', status: 'failed', code: '310000' });
    expect(result!.message).toMatch(remedy);
  });
});
