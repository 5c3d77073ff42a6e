// One scale run, in a fresh Node process: the bundled handler, live, caps lifted, against an emulator.
// argv: <bundle path> <emulator url> <result file>. Records go to stdout (the parent discards them).
'use strict';
const { writeFileSync } = require('node:fs');
const [bundle, url, resultFile] = process.argv.slice(2);
Object.assign(process.env, { DOMAIN_ENDPOINT: url, REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '100000', REDEEM_MAX_PER_DAY: '100000' });
const { handler } = require(bundle);
const event = Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'bench', payload: '' }));
const context = {
  requestId: 'bench-scale',
  credentials: { accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-secret', securityToken: 'bench-token' },
  function: { name: 'bench', handler: 'index.handler', memory: 256, timeout: 900 },
};
const started = process.hrtime.bigint();
handler(event, context).then((summary) => {
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  writeFileSync(resultFile, JSON.stringify({ wallMs, peakRssMb: process.resourceUsage().maxRSS / 1024, run: summary.run, callsByAction: summary.callsByAction }));
});
