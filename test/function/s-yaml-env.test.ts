/**
 * Every environment variable the function reads can be set where a user deploys it: s.yaml's
 * environmentVariables (each from ${env('X', …)}), unless Function Compute itself sets it. FC reserves
 * the FC_* prefix for its own variables and sets the ALIBABA_CLOUD_* credentials from the function's role
 * (reference function-compute.md section 5; help "Configure environment variables": "you cannot use
 * environment variables with the reserved prefix FC_*"), so those are the platform's, and the README says
 * so for the one FC_* override the code takes (FC_ENDPOINT). The variables read are recorded at run time,
 * by handing the configuration's loaders an environment that notes every name asked for.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseAccounts } from '../../shared/accounts/index.js';
import { ConfigError, credentialsFromEnv, loadConfig } from '../../shared/config/index.js';
import { functionVariables } from '../../shared/doctor/checks.js';
import { fanOutTarget } from '../../shared/fc/invocation.js';

const ROOT = new URL('../../', import.meta.url);
const doc = parse(readFileSync(new URL('s.yaml', ROOT), 'utf8'));
const deployed = Object.keys(doc.resources.redeem.props.environmentVariables as Record<string, string>);
const readme = readFileSync(new URL('README.md', ROOT), 'utf8');

/** An environment holding `values` that notes every variable name read from it. */
function recording(values: Record<string, string>, read: Set<string>): Record<string, string | undefined> {
  return new Proxy(values, {
    get(target, key) {
      if (typeof key === 'string' && /^[A-Z][A-Z0-9_]+$/.test(key)) read.add(key);
      return Reflect.get(target, key);
    },
  });
}

/** The variables the function's configuration reads, on every branch a deployment can take. */
function variablesRead(): Set<string> {
  const read = new Set<string>();
  const settings: Array<Record<string, string>> = [
    {},
    { REDEEM_MODE: 'live', REDEEM_DOMAINS: '*', SLS_ENDPOINT: 'cn-hangzhou.log.aliyuncs.com', SLS_PROJECT: 'audit', SLS_LOGSTORE: 'results', NOTIFY_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=x' },
    { REDEEM_PRICES: '{"com":100}', REDEEM_MIN_BALANCE: '10', REDEEM_MAX_SPEND_PER_DAY: '500', REDEEM_CURRENCY: 'CNY' },
    { REDEEM_ACCOUNTS: 'rd:domain-redeemer', REDEEM_EXTERNAL_ID: 'abc123' },
  ];
  for (const values of settings) {
    const env = recording(values, read);
    try {
      loadConfig(env);
    } catch {
      // A setting that fails validation still read its variables.
    }
    credentialsFromEnv(env);
    const accounts = parseAccounts(env).config;
    if (accounts) {
      try {
        fanOutTarget(env, { channel: 'event', credentials: undefined, requestId: 'r', timeoutSeconds: 60, qualifier: undefined }, accounts);
      } catch {
        // FC_* unset here: read all the same.
      }
    }
  }
  // Read straight from process.env (the custom runtime's port).
  for (const folder of ['shared', 'functions']) {
    for (const name of readdirSync(new URL(folder, ROOT), { recursive: true }).map(String).filter((n) => n.endsWith('.ts'))) {
      for (const match of readFileSync(new URL(`${folder}/${name}`, ROOT), 'utf8').matchAll(/process\.env\.([A-Z][A-Z0-9_]+)/g)) read.add(match[1]!);
    }
  }
  return read;
}

/** Set by Function Compute, never by the user: its reserved FC_* names and the role's credentials. */
const platformSets = (name: string) => name.startsWith('FC_') || name.startsWith('ALIBABA_CLOUD_');

describe("s.yaml's environment and the variables the code reads", () => {
  const read = variablesRead();

  it('the recording sees the variables of every part of the configuration (so an empty record cannot pass)', () => {
    for (const name of ['REDEEM_MODE', 'SLS_PROJECT', 'NOTIFY_ON', 'REDEEM_PRICES', 'BSS_ENDPOINT', 'REDEEM_ACCOUNTS', 'STS_ENDPOINT', 'ALIBABA_CLOUD_ACCESS_KEY_ID', 'FC_REGION']) {
      expect([...read], name).toContain(name);
    }
  });

  it('every variable the code reads, except those FC sets, is passed through by s.yaml', () => {
    expect([...read].filter((name) => !platformSets(name) && !deployed.includes(name)).sort()).toEqual([]);
  });

  it('s.yaml sets no variable the code does not read, and none with the FC_ prefix FC reserves', () => {
    expect(deployed.filter((name) => !read.has(name))).toEqual([]);
    expect(deployed.filter(platformSets)).toEqual([]);
  });

  it('the README says why FC_ENDPOINT cannot be set on Function Compute', () => {
    const row = readme.split('\n').find((line) => line.startsWith('| `STS_ENDPOINT`') || line.includes('`FC_ENDPOINT`'))!;
    expect(row).toMatch(/FC_\*|FC_ prefix|reserve/);
  });

  it("s.yaml's defaults (what a deploy with nothing exported sets) are the code's own defaults", () => {
    const defaults = Object.fromEntries(
      Object.entries(doc.resources.redeem.props.environmentVariables as Record<string, string>).map(([name, value]) => [name, /^\$\{env\('[A-Z_]+'(?:, '([^']*)')?\)\}$/.exec(value)?.[1] ?? '']),
    );
    expect(loadConfig(defaults)).toEqual(loadConfig({}));
  });

  it("the doctor's 4 KB measure counts every variable s.yaml sets", () => {
    const all = Object.fromEntries(deployed.map((name) => [name, '']));
    expect(Object.keys(functionVariables(all)).sort()).toEqual([...deployed].sort());
  });
});

/**
 * README "Configuration" and "Money": the settings tables a user deploys from. Each row's first cell names
 * its variables (`NOTIFY_*_URL` stands for the channels'), its second the default.
 */
function readmeSection(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  const rest = readme.slice(start + 1);
  return rest.slice(0, 3 + rest.slice(3).search(/\n##? /));
}
const settingRows = ['Configuration', 'Money'].flatMap((title) =>
  readmeSection(title)
    .split('\n')
    .filter((line) => line.startsWith('| `'))
    .map((line) => {
      const [names, defaults] = line.slice(2).split(' | ');
      return {
        names: [...names!.matchAll(/`([A-Z][A-Z0-9_*]+)`/g)].map((m) => m[1]!),
        // Only a cell that is defaults (`7`), not one that says where it comes from (from `DOMAIN_SITE`).
        defaults: defaults!.startsWith('`') ? [...defaults!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!) : [],
      };
    }),
);
const listed = settingRows.flatMap((row) => row.names);
const listedAs = (name: string) => listed.some((entry) => new RegExp(`^${entry.replace(/\*/g, '[A-Z0-9_]+')}$`).test(name));
/** Set by Function Compute on every function (the README names them where an override is made from them). */
const fcSets = (name: string) => name.startsWith('FC_') && name !== 'FC_ENDPOINT';

describe("README's settings tables and the variables the code reads", () => {
  const read = variablesRead();

  it('the tables are found (so an empty table cannot pass)', () => {
    expect(listed).toEqual(expect.arrayContaining(['REDEEM_MODE', 'NOTIFY_*_URL', 'REDEEM_MIN_BALANCE', 'STS_ENDPOINT']));
  });

  it('every variable the code reads, except those FC sets, is in a table', () => {
    expect([...read].filter((name) => !fcSets(name) && !listedAs(name)).sort()).toEqual([]);
  });

  it('every variable a table names is read by the code', () => {
    expect(listed.filter((entry) => ![...read].some((name) => new RegExp(`^${entry.replace(/\*/g, '[A-Z0-9_]+')}$`).test(name)))).toEqual([]);
  });

  it('the default a table states is what the code takes when the variable is unset', () => {
    // REDEEM_ACCOUNTS set, for the endpoints that only the many-accounts run reads.
    const base = { REDEEM_ACCOUNTS: 'rd:domain-redeemer' };
    const checked: string[] = [];
    for (const row of settingRows) {
      row.defaults.forEach((value, i) => {
        const name = row.names[i]!;
        if (value.includes('<') || name.includes('*') || !read.has(name)) return;
        const stated = loadConfig({ ...base, [name]: value });
        const unset = loadConfig(base);
        // Setting any money variable, even to its default, turns the balance guard on (README "Money": "with none of them set the guard is off").
        expect({ ...stated, money: { ...stated.money, guard: unset.money.guard } }, `${name}=${value}`).toEqual(unset);
        checked.push(name);
      });
    }
    expect(checked).toEqual(expect.arrayContaining(['REDEEM_MODE', 'REDEEM_WITHIN_DAYS', 'NOTIFY_ON', 'NOTIFY_AT_RISK_DAYS', 'REDEEM_MIN_BALANCE', 'STS_ENDPOINT']));
  });

  it('a bad value of a variable a table names fails with a message that names that variable', () => {
    const unnamed: string[] = [];
    for (const name of [...read].filter((n) => listedAs(n) && !n.startsWith('ALIBABA_CLOUD_') && n !== 'WEBHOOK_SECRET')) {
      const env: Record<string, string> = { [name]: 'no good!', ...(['STS_ENDPOINT', 'RESOURCE_MANAGER_ENDPOINT', 'FC_ENDPOINT', 'REDEEM_EXTERNAL_ID'].includes(name) ? { REDEEM_ACCOUNTS: 'rd:domain-redeemer' } : {}) };
      try {
        loadConfig(env);
        unnamed.push(`${name}: taken`);
      } catch (error) {
        const message = (error as Error).message;
        if (!(error instanceof ConfigError) || !error.problems.some((p) => p.variable === name) || !message.includes(`${name}: `)) unnamed.push(`${name}: ${message}`);
      }
    }
    expect(unnamed).toEqual([]);
  });
});

describe("s.yaml's deploy-time variables and README's deploy steps", () => {
  // Read by Serverless Devs when `s deploy` runs (the role, the log project, the region, the access alias),
  // not by the function: a user learns them only from "Deploying with Serverless Devs".
  it('every ${env(…)} of s.yaml outside the environment variables is named in the deploy steps', () => {
    const raw = readFileSync(new URL('s.yaml', ROOT), 'utf8');
    const named = new Set([...raw.matchAll(/\$\{env\('([A-Z0-9_]+)'/g)].map((m) => m[1]!));
    const deployTime = [...named].filter((name) => !deployed.includes(name));
    expect(deployTime).toEqual(expect.arrayContaining(['REDEEM_ROLE_ARN', 'FC_LOG_PROJECT']));
    const steps = readme.slice(readme.indexOf('## Deploying with Serverless Devs'), readme.indexOf('### Custom runtime'));
    expect(deployTime.filter((name) => !new RegExp(`\\b${name}\\b`).test(steps))).toEqual([]);
  });
});
