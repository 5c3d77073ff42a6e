/**
 * The reference function: the same run (engine.ts) on the stack a user of the official packages would
 * pick: @alicloud/openapi-client for the Domain API, @alicloud/log for SLS, classic zod for validation.
 * Built with the same esbuild settings as dist/redeem/index.js, for the benchmark only.
 */
import SlsClient from '@alicloud/log';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../shared/clock/index.js';
import { createLogger } from '../../shared/log/index.js';
import { loadNotifyConfig } from '../../shared/notify/index.js';
import { ConfigError } from '../../shared/config/index.js';
import { loadMoneyConfig, parsePatternList } from '../../shared/config/index.js';
import { mergeTldRules } from '../../shared/run/index.js';
import { executeRun, type RunSummary } from '../../shared/run/index.js';
import type { RedeemerConfig } from '../../shared/config/index.js';
import { envSchema, runOptionsSchema, timerEventSchema, tldRulesSchema } from './schemas.js';
import { SdkDomainApi } from './sdk-domain-api.js';

function loadConfig(env: NodeJS.ProcessEnv): RedeemerConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((i) => ({ variable: i.path.join('.'), message: i.message })));
  const v = parsed.data;
  if (v.REDEEM_MODE === 'live' && !v.REDEEM_DOMAINS) throw new ConfigError([{ variable: 'REDEEM_DOMAINS', message: 'required when REDEEM_MODE=live' }]);
  const sls = env.SLS_ENDPOINT && env.SLS_PROJECT && env.SLS_LOGSTORE ? { endpoint: env.SLS_ENDPOINT, project: env.SLS_PROJECT, logstore: env.SLS_LOGSTORE } : undefined;
  return {
    mode: v.REDEEM_MODE,
    allow: v.REDEEM_DOMAINS ? parsePatternList(v.REDEEM_DOMAINS) : undefined,
    exclude: v.REDEEM_EXCLUDE ? parsePatternList(v.REDEEM_EXCLUDE) : [],
    withinDays: v.REDEEM_WITHIN_DAYS,
    maxPerRun: v.REDEEM_MAX_PER_RUN,
    maxPerDay: v.REDEEM_MAX_PER_DAY,
    followSeconds: Number(env.REDEEM_FOLLOW_SECONDS || 300),
    apiQps: Number(env.REDEEM_API_QPS || 20),
    submitConcurrency: !env.REDEEM_SUBMIT_CONCURRENCY || env.REDEEM_SUBMIT_CONCURRENCY === 'auto' ? 'auto' : Number(env.REDEEM_SUBMIT_CONCURRENCY),
    tldRules: mergeTldRules(v.REDEEM_TLD_RULES ? tldRulesSchema.parse(JSON.parse(v.REDEEM_TLD_RULES)) : {}),
    site: v.DOMAIN_SITE,
    domainEndpoint: v.DOMAIN_ENDPOINT,
    sls,
    webhookSecret: env.WEBHOOK_SECRET,
    notify: notifyConfig(env),
    money: loadMoneyConfig(env).value,
  };
}

function notifyConfig(env: NodeJS.ProcessEnv) {
  const loaded = loadNotifyConfig(env);
  if (!loaded.ok) throw new ConfigError(loaded.problems.map((line) => ({ variable: line.split(':')[0]!, message: line })));
  return loaded.config;
}

export async function handler(event: Buffer, context: any): Promise<RunSummary> {
  const text = event.toString('utf8').trim();
  const decoded: unknown = text ? JSON.parse(text) : {};
  const timer = timerEventSchema.safeParse(decoded);
  const options = runOptionsSchema.parse(timer.success ? (timer.data.payload ? JSON.parse(timer.data.payload) : {}) : decoded);
  const config = loadConfig(process.env);
  const credentials = {
    accessKeyId: context?.credentials?.accessKeyId ?? process.env.ALIBABA_CLOUD_ACCESS_KEY_ID,
    accessKeySecret: context?.credentials?.accessKeySecret ?? process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
    securityToken: context?.credentials?.securityToken ?? process.env.ALIBABA_CLOUD_SECURITY_TOKEN,
  };
  const timeoutMs = (context?.function?.timeout ?? 60) * 1000;
  const budgetMs = timeoutMs - Math.min(10_000, timeoutMs * 0.1);
  const sls = config.sls ? new SlsClient({ ...credentials, endpoint: config.sls.endpoint }) : undefined;
  return executeRun(
    { config, trigger: timer.success ? 'timer' : 'invoke', options, fcRequestId: context?.requestId, budgetMs, runId: randomUUID(), clock: systemClock, logger: createLogger() },
    {
      api: new SdkDomainApi({ site: config.site, endpoint: config.domainEndpoint, credentials, deadlineMs: Date.now() + budgetMs }),
      deliver: sls
        ? async (records) => {
            const timestamp = Math.floor(Date.now() / 1000);
            await sls.postLogStoreLogs(config.sls!.project, config.sls!.logstore, {
              logs: records.map((record) => ({ timestamp, content: Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)])) })),
              topic: 'domain-redeemer',
            });
          }
        : undefined,
    },
  );
}
