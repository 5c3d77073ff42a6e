/**
 * A REDEEM_* or NOTIFY_* variable the function does not know is a typo (REDEEM_MAX_ORDER_PER_RUN) or a name in
 * the wrong case (redeem_dry_run): left unread, the setting a person meant silently keeps its default, a cap
 * of 10 where 2 was meant. Refused at startup, by name, with the nearest known name where there is one. The
 * names s.yaml reads at deploy time (REDEEM_REGION, REDEEM_ROLE_ARN) and every setting README lists stay allowed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config/config.js';

function problems(env: Record<string, string>): readonly { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

describe('unknown REDEEM_* and NOTIFY_* variables', () => {
  it('a typo is refused by name, with the nearest known name', () => {
    expect(problems({ REDEEM_MAX_ORDER_PER_RUN: '2' })).toEqual([{ variable: 'REDEEM_MAX_ORDER_PER_RUN', message: expect.stringContaining('did you mean REDEEM_MAX_PER_RUN?') }]);
    expect(problems({ NOTIFY_DINGTALK_URLS: 'https://oapi.dingtalk.com/robot/send?access_token=x' })).toEqual([{ variable: 'NOTIFY_DINGTALK_URLS', message: expect.stringContaining('did you mean NOTIFY_DINGTALK_URL?') }]);
    expect(problems({ REDEEM_WITHIN_DAY: '3' })[0]?.message).toContain('did you mean REDEEM_WITHIN_DAYS?');
  });

  it('a known name in the wrong case is refused, naming the right spelling', () => {
    expect(problems({ redeem_mode: 'live' })).toEqual([{ variable: 'redeem_mode', message: expect.stringContaining('REDEEM_MODE') }]);
    expect(problems({ Notify_On: 'always' })[0]).toMatchObject({ variable: 'Notify_On', message: expect.stringContaining('NOTIFY_ON') });
  });

  it('redeem_dry_run (no such setting in any case) is refused and points at REDEEM_MODE', () => {
    expect(problems({ redeem_dry_run: 'true' })).toEqual([{ variable: 'redeem_dry_run', message: expect.stringContaining('REDEEM_MODE') }]);
  });

  it('a name far from every known one is refused without a guess', () => {
    const [problem] = problems({ REDEEM_SOMETHING_ELSE_ENTIRELY: '1' });
    expect(problem).toMatchObject({ variable: 'REDEEM_SOMETHING_ELSE_ENTIRELY' });
    expect(problem?.message).not.toContain('did you mean');
  });

  it('beside another bad variable, both are named', () => {
    expect(problems({ REDEEM_MAX_ORDER_PER_RUN: '2', REDEEM_MAX_PER_DAY: 'x' }).map((p) => p.variable).sort()).toEqual(['REDEEM_MAX_ORDER_PER_RUN', 'REDEEM_MAX_PER_DAY']);
  });

  it('an unknown variable that is empty (as ${env(...)} gives when unset) counts as unset, as every variable does', () => {
    expect(problems({ REDEEM_MAX_ORDER_PER_RUN: '' })).toEqual([]);
  });

  it('the deploy-time names and every REDEEM_*/NOTIFY_* name of s.yaml and the README are allowed', () => {
    const names = new Set([...`${read('s.yaml')}\n${read('README.md')}`.matchAll(/\b(?:REDEEM|NOTIFY)_[A-Z0-9_]*[A-Z0-9]\b/g)].map((m) => m[0]));
    expect(names).toContain('REDEEM_ROLE_ARN');
    expect(names).toContain('REDEEM_REGION');
    // README's own example of a typo that is refused.
    names.delete('REDEEM_MAX_ORDER_PER_RUN');
    const refused = [...names].flatMap((name) => problems({ [name]: 'x' }).filter((p) => p.variable === name && /not a setting/.test(p.message)));
    expect(refused).toEqual([]);
  });
  // The list of known names is written beside the code that reads them (money.ts, accounts-config.ts,
  // notify/config.ts): a setting read there but missing from the list would stop every run that sets it.
  it('every REDEEM_*/NOTIFY_* name the code reads (env.X, env["X"], a quoted name, a schema key) is allowed', () => {
    const files = ['shared', 'functions'].flatMap((dir) =>
      (readdirSync(new URL(`../../${dir}`, import.meta.url), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`),
    );
    const pattern = /(?:env\.|env\[['"]|['"`])((?:REDEEM|NOTIFY)_[A-Z0-9_]*[A-Z0-9])\b|(?<!const |let )\b((?:REDEEM|NOTIFY)_[A-Z0-9_]*[A-Z0-9])\??:/g;
    const names = new Set(files.flatMap((file) => [...read(file).matchAll(pattern)].map((m) => (m[1] ?? m[2])!)));
    expect(names.size).toBeGreaterThan(20);
    for (const name of ['REDEEM_PRICES', 'REDEEM_EXTERNAL_ID', 'NOTIFY_DINGTALK_SECRET', 'REDEEM_WITHIN_DAYS']) expect(names).toContain(name);
    const refused = [...names].flatMap((name) => problems({ [name]: 'x' }).filter((p) => p.variable === name && /not a setting/.test(p.message)));
    expect(refused).toEqual([]);
  });
});
