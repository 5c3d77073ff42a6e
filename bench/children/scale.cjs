// One run, in a fresh Node process: the bundled handler against an emulator, caps lifted.
// argv: <bundle path> <emulator url> <result file> <function timeout seconds> <live|dry-run>.
// Records go to stdout (the parent discards them). The result file holds the run record, the calls by
// action, each decision as [domain, action, reason, outcome, has task, error code], wall time and peak RSS,
// or {error} when the handler threw.
'use strict';
const { writeFileSync } = require('node:fs');
const [bundle, url, resultFile, timeoutSeconds = '900', mode = 'live'] = process.argv.slice(2);
Object.assign(process.env, { DOMAIN_ENDPOINT: url, REDEEM_MODE: mode, REDEEM_DOMAINS: '*', REDEEM_MAX_PER_RUN: '100000', REDEEM_MAX_PER_DAY: '100000' });
const { handler } = require(bundle);
const event = Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'bench', payload: '' }));
const context = {
  requestId: 'bench-scale',
  credentials: { accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-secret', securityToken: 'bench-token' },
  function: { name: 'bench', handler: 'index.handler', memory: 256, timeout: Number(timeoutSeconds) },
};
const started = process.hrtime.bigint();
const finish = (fields) => {
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  writeFileSync(resultFile, JSON.stringify({ wallMs, peakRssMb: process.resourceUsage().maxRSS / 1024, ...fields }));
};
handler(event, context).then(
  (summary) =>
    finish({
      run: summary.run,
      callsByAction: summary.callsByAction,
      decisions: summary.decisions.map((d) => [d.domain, d.action, d.reason, d.outcome, d.task_no ? 1 : 0, d.error_code || '']),
    }),
  (error) => finish({ error: String((error && error.message) || error) }),
);
