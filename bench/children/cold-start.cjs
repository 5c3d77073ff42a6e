// One cold start, in a fresh Node process: load the bundle and handle one timer event (dry-run).
// argv: <bundle path> <emulator url>. Writes {"loadMs","handleMs","totalMs","outcome"} as the last line on stderr.
'use strict';
const started = process.hrtime.bigint();
const [bundle, url] = process.argv.slice(2);
process.env.DOMAIN_ENDPOINT = url;
process.env.REDEEM_MODE = 'dry-run';
const { handler } = require(bundle);
const loaded = process.hrtime.bigint();
const event = Buffer.from(JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'bench', payload: '' }));
const context = {
  requestId: 'bench-cold-start',
  credentials: { accessKeyId: 'emulator-ak', accessKeySecret: 'emulator-secret', securityToken: 'bench-token' },
  function: { name: 'bench', handler: 'index.handler', memory: 256, timeout: 60 },
};
handler(event, context).then((summary) => {
  const done = process.hrtime.bigint();
  const ms = (a, b) => Number(b - a) / 1e6;
  process.stderr.write(`\n${JSON.stringify({ loadMs: ms(started, loaded), handleMs: ms(loaded, done), totalMs: ms(started, done), outcome: summary.run.outcome, decisions: summary.decisions.length })}\n`);
});
