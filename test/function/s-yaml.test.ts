/** s.yaml: the function's props validate against the fc3 component's own schema, and say what the issue asks. */
import { Ajv } from 'ajv';
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../support/vectors.js';

const raw = readFileSync(new URL('../../s.yaml', import.meta.url), 'utf8');
const doc = parse(raw);
const schema = readFixture('fc3-props.schema.json');

/** Substitutes ${vars.x} and ${env('X', 'default')} the way `s` would, with the given environment. */
function resolve(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') {
    const whole = /^\$\{(.+)\}$/.exec(value);
    const expr = whole?.[1];
    const envRef = expr && /^env\('([A-Z0-9_]+)'(?:,\s*'([^']*)')?\)$/.exec(expr);
    if (envRef) return env[envRef[1]!] ?? envRef[2] ?? '';
    const varRef = expr && /^vars\.(\w+)$/.exec(expr);
    if (varRef) return resolve(doc.vars[varRef[1]!], env);
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, env)]));
  return value;
}

const env = { REDEEM_ROLE_ARN: 'acs:ram::1234567890123456:role/domain-redeemer', FC_LOG_PROJECT: 'audit-project', FC_LOG_STORE: 'function-logs' };
const resource = doc.resources.redeem;
const props = resolve(resource.props, env) as any;

describe('s.yaml', () => {
  it('edition 3.0.0 with component fc3', () => {
    expect(doc.edition).toBe('3.0.0');
    expect(resource.component).toBe('fc3');
  });

  it("the function's props validate against fc3-props.schema.json", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const valid = validate(props);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('the schema check can fail: a wrong runtime is caught', () => {
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ ...props, runtime: 'nodejs99' })).toBe(false);
    expect(validate({ ...props, memorySize: 100 })).toBe(false);
    expect(validate({ ...props, concurrencyConfig: { reserved: 1 } })).toBe(false);
  });

  it('nodejs20, index.handler, the bundle as code, and a pre-deploy build', () => {
    expect(props).toMatchObject({ runtime: 'nodejs20', handler: 'index.handler', code: './dist/redeem', role: env.REDEEM_ROLE_ARN });
    expect(resource.actions['pre-deploy'][0].run).toMatch(/npm run build/);
    expect(props.timeout).toBeGreaterThanOrEqual(300);
    expect(props.asyncInvokeConfig.maxAsyncRetryAttempts).toBe(0);
    expect(props.logConfig).toMatchObject({ project: 'audit-project', logstore: 'function-logs', logBeginRule: 'None' });
  });

  it('no advice to use logConfig: auto without saying to set logBeginRule back to None (fc3 writes DefaultRegex for auto, which glues the JSON lines into one entry)', () => {
    // fc3's logConfig: auto writes back enableInstanceMetrics, enableRequestMetrics and logBeginRule: DefaultRegex
    // (devsapp/fc3 src/default/resources.ts, as summarised in the vendor reference); with DefaultRegex a line
    // that does not begin with a date joins the entry before it, and every record line begins with '{'.
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const [name, text] of [['s.yaml', raw], ['README.md', readme]] as const) {
      for (const line of text.split('\n').filter((l) => l.includes('logConfig: auto'))) expect(line, name).toMatch(/logBeginRule/);
    }
  });

  // Feishu asks robots not to send on the hour or the half hour (its load answers 11232 then; reference
  // notifications.md), and every run ends with a message: the daily timer fires a few minutes off both.
  it('the daily timer fires once a day, off the hour and the half hour, in Beijing time', () => {
    const timer = props.triggers.find((t: any) => t.triggerType === 'timer');
    const cron = /^CRON_TZ=Asia\/Shanghai (\d+) (\d+) (\d+) \* \* \*$/.exec(timer.triggerConfig.cronExpression);
    expect(cron, timer.triggerConfig.cronExpression).not.toBeNull();
    const [, second, minute, hour] = cron!.map(Number);
    expect(second).toBe(0);
    expect([0, 30]).not.toContain(minute);
    expect(hour).toBeGreaterThanOrEqual(0);
    expect(hour).toBeLessThan(24);
    expect(timer.description).toContain(`${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`);
  });

  it('one invocation at a time across the function (reservedConcurrency: 1); no instanceConcurrency, which a built-in runtime ignores', () => {
    expect(props.concurrencyConfig).toEqual({ reservedConcurrency: 1 });
    expect(props.runtime.startsWith('custom')).toBe(false);
    expect(props).not.toHaveProperty('instanceConcurrency');
  });

  it('the deployed code folder holds exactly the bundle (run after npm run build)', () => {
    const folder = new URL(`../../${props.code}/`, import.meta.url);
    expect(readdirSync(folder, { recursive: true }).map(String).sort()).toEqual(['index.js']);
    // No link to a source map that is not shipped.
    expect(readFileSync(new URL('index.js', folder), 'utf8')).not.toMatch(/sourceMappingURL/);
  });

  it('every environment variable comes from ${env(...)}: no literal secret', () => {
    for (const [name, value] of Object.entries(resource.props.environmentVariables as Record<string, string>)) {
      expect(value, name).toMatch(/^\$\{env\('[A-Z_]+'(, '[^']*')?\)\}$/);
    }
    expect(resource.props.environmentVariables.WEBHOOK_SECRET).toBe("${env('WEBHOOK_SECRET', '')}");
  });

  it('a daily timer with CRON_TZ and a JSON payload; an anonymous HTTP trigger for GET, HEAD and POST', () => {
    const timer = props.triggers.find((t: any) => t.triggerType === 'timer');
    expect(timer.triggerConfig.cronExpression).toMatch(/^CRON_TZ=[A-Za-z_/]+ \d+ \d+ \d+ \* \* \*$/);
    expect(JSON.parse(timer.triggerConfig.payload)).toEqual(expect.any(Object));
    const http = props.triggers.find((t: any) => t.triggerType === 'http');
    expect(http.triggerConfig).toMatchObject({ authType: 'anonymous' });
    expect([...http.triggerConfig.methods].sort()).toEqual(['GET', 'HEAD', 'POST']);
  });

  // The whole policy is checked against the calls the code makes in ram-policy.test.ts; here, the order the
  // README relies on: a member account's role takes the first two statements, the SLS resource is the third's.
  // Account runs (REDEEM_ACCOUNTS) and a timer throttled by reservedConcurrency: 1 wait in FC's async queue for
  // maxAsyncEventAgeInSeconds, then are dropped. Its default differs between the fc3 schema (18000 s, 5 h) and
  // the FC API (86400 s; function-compute.md 6.2): the README's "a day" (about 96 worst-case account runs at
  // timeout 900) must not rest on which one fc3 sends, so s.yaml names it, inside both documented ranges.
  it('asyncInvokeConfig names maxAsyncEventAgeInSeconds: a day, as the README counts on, valid for the schema and the API', () => {
    const age = props.asyncInvokeConfig.maxAsyncEventAgeInSeconds;
    expect(age).toBe(86_400);
    expect(age).toBeLessThanOrEqual(604_800);
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toMatch(/maxAsyncEventAgeInSeconds: 86400/);
  });

  // FC refuses, at the trigger, a method its methods list does not hold: the app's own answers for it never
  // run. The app answers HEAD /healthz (http-trigger.test.ts), and uptime monitors often send HEAD.
  it('the HTTP trigger lets through every method the app answers on its routes: POST /webhook, GET and HEAD /healthz', () => {
    const http = props.triggers.find((t: any) => t.triggerType === 'http');
    const app = readFileSync(new URL('../../functions/redeem/app.ts', import.meta.url), 'utf8');
    const allowed = [...app.matchAll(/wrongMethod\('([A-Z, ]+)'\)/g)].flatMap((m) => m[1]!.split(', '));
    expect(allowed.sort()).toEqual(['GET', 'HEAD', 'POST']);
    for (const method of allowed) expect(http.triggerConfig.methods, method).toContain(method);
  });

  it('ram-policy.json: the domain statements first, then SLS, then the optional ones (balance guard, many accounts)', () => {
    const policy = JSON.parse(readFileSync(new URL('../../ram-policy.json', import.meta.url), 'utf8'));
    const actions = policy.Statement.map((s: any) => [...s.Action].sort());
    expect(actions.slice(0, 4)).toEqual([['domain:QueryCommonInfo', 'domain:QueryDomainTask'], ['domain:CreateOrderRedeem'], ['log:GetLogStoreLogs', 'log:PostLogStoreLogs'], ['bss:DescribeAcccount']]);
    expect(actions.slice(4).flat().sort()).toEqual(['fc:InvokeFunction', 'resourcemanager:ListAccounts', 'sts:AssumeRole']);
    for (const statement of policy.Statement) expect(statement.Effect).toBe('Allow');
  });
});
