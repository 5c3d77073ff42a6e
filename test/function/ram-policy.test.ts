/**
 * ram-policy.json against the code: every API action the function's code can call (collected from the
 * source, not listed by hand) maps to a RAM action (test/fixtures/ram-actions.json, from the vendors'
 * authorization tables), and the policy grants exactly those, no more; a statement the README calls
 * optional is one a deployment without that feature can drop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readFixture } from '../support/vectors.js';

const ROOT = new URL('../../', import.meta.url);
const RAM_ACTIONS: Record<string, string> = readFixture('ram-actions.json').actions;

interface Statement {
  readonly Effect: string;
  readonly Action: string[];
  readonly Resource: string | string[];
}
const policy = JSON.parse(readFileSync(new URL('ram-policy.json', ROOT), 'utf8')) as { Version: string; Statement: Statement[] };
const readme = readFileSync(new URL('README.md', ROOT), 'utf8');

function sources(folder: string): string[] {
  return readdirSync(new URL(folder, ROOT), { recursive: true })
    .map(String)
    .filter((name) => name.endsWith('.ts'))
    .map((name) => readFileSync(new URL(`${folder}/${name}`, ROOT), 'utf8'));
}

/**
 * The API actions the code names where it makes a call: an RPC read or attempt with a literal action,
 * an action constant (`const ACTION = 'AssumeRole'`, what the STS, Resource Manager, BSS, FC and Domain
 * clients pass on), an x-acs-action header, and the SLS client's requests (`exchange('PutLogs', …)`).
 */
function calledActions(): Set<string> {
  const found = new Set<string>();
  const patterns = [
    /\.(?:read|attempt)\(\s*'([A-Z][A-Za-z]+)'/g,
    /const [A-Z_]*ACTION = '([A-Z][A-Za-z]+)'/g,
    /\['x-acs-action', '([A-Z][A-Za-z]+)'\]/g,
    /exchange\(\s*'([A-Z][A-Za-z]+)'/g,
  ];
  for (const text of [...sources('shared'), ...sources('functions')]) {
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.add(match[1]!);
  }
  return found;
}

describe('ram-policy.json and the calls the code makes', () => {
  const called = calledActions();

  it('the collector finds the calls of every service the function uses (so an empty match cannot pass)', () => {
    for (const action of ['QueryDomainList', 'QueryTaskList', 'QueryTaskDetailList', 'SaveSingleTaskForCreatingOrderRedeem', 'QueryAccountBalance', 'AssumeRole', 'ListAccounts', 'InvokeFunction', 'PutLogs', 'GetLogs']) {
      expect([...called], action).toContain(action);
    }
  });

  it('every action the code calls has a known RAM action', () => {
    expect([...called].filter((action) => !(action in RAM_ACTIONS))).toEqual([]);
  });

  it('grants every RAM action the code needs, and nothing else', () => {
    const needed = [...new Set([...called].map((action) => RAM_ACTIONS[action]!))].sort();
    const granted = policy.Statement.flatMap((s) => s.Action).sort();
    expect(granted).toEqual(needed);
    for (const statement of policy.Statement) expect(statement.Effect).toBe('Allow');
  });

  it('no action is granted on every resource where the vendor lets it be narrowed', () => {
    // bss:DescribeAcccount and resourcemanager:ListAccounts act on the account itself: no narrower resource is documented.
    const unscoped = new Set(['bss:DescribeAcccount', 'resourcemanager:ListAccounts']);
    for (const statement of policy.Statement) {
      const resources = ([] as string[]).concat(statement.Resource);
      if (statement.Action.every((a) => unscoped.has(a))) continue;
      for (const resource of resources) expect(resource, statement.Action.join(',')).not.toBe('*');
    }
    const invoke = policy.Statement.find((s) => s.Action.includes('fc:InvokeFunction'))!;
    // The function invokes only itself (s.yaml functionName), at a version: functions/<name>* as the README says.
    expect(invoke.Resource).toBe('acs:fc:*:*:functions/domain-redeemer*');
    const assume = policy.Statement.find((s) => s.Action.includes('sts:AssumeRole'))!;
    expect(String(assume.Resource)).toMatch(/^acs:ram::\*:role\/</);
  });

  it('the README says which statements are optional, naming each optional action', () => {
    const deploy = readme.slice(readme.indexOf('## Deploying with Serverless Devs'), readme.indexOf('### Custom runtime'));
    for (const action of ['bss:DescribeAcccount', 'sts:AssumeRole', 'resourcemanager:ListAccounts', 'fc:InvokeFunction']) expect(deploy, action).toContain(action);
    expect(deploy).toMatch(/REDEEM_ACCOUNTS/);
  });
});
