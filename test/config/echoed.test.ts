/**
 * A wrong value in a configuration error: a typo a person makes is quoted so they can see it, and a
 * credential pasted into the wrong variable is never repeated, not even in part. Credential shapes (from the
 * vendors' pages, /work/shared/reference: accounts-and-billing.md, notifications.md): an AccessKey secret of
 * 30 letters and digits, a DingTalk access_token of 64 hex digits, a DingTalk signing secret SEC + 64 hex.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config/config.js';
import { loadMoneyConfig } from '../../shared/config/money.js';

const SECRET = 'Q7mZ2rTx9KpL4vNc8WbY3hJd6FgS1a';
const TOKEN = '5f3c9a0b1d2e4f60718293a4b5c6d7e8f9012a3b4c5d6e7f8091a2b3c4d5e6f7';
const SIGNING = `SEC${TOKEN}`;

function problemsOf(env: Record<string, string>): string {
  try {
    loadConfig({ REDEEM_MODE: 'dry-run', REDEEM_DOMAINS: '*', ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  return '';
}

describe('a wrong configuration value in the error', () => {
  it.each([
    ['REDEEM_MIN_BALANCE', '1,000'],
    ['REDEEM_MIN_BALANCE', '$500'],
    ['REDEEM_MAX_SPEND_PER_DAY', '3000¥'],
    ['REDEEM_MAX_PER_RUN', '10%'],
    ['REDEEM_MODE', 'live!'],
  ])('%s=%s: a typo is quoted so a person sees what they wrote', (variable, value) => {
    const env: Record<string, string> = { [variable]: value };
    if (variable === 'REDEEM_MAX_SPEND_PER_DAY') env.REDEEM_PRICES = '{"*": 100}';
    const text = problemsOf(env);
    expect(text).toContain(variable);
    expect(text).toContain(`"${value}"`);
  });

  it.each([
    ['an AccessKey secret', SECRET],
    ['a robot access_token', TOKEN],
    ['a signing secret', SIGNING],
  ])('REDEEM_CURRENCY holding %s: no piece of it is repeated', (_what, value) => {
    const { problems } = loadMoneyConfig({ REDEEM_PRICES: '{"*": 100}', REDEEM_CURRENCY: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^REDEEM_CURRENCY: /);
    // Any eight characters of it in a row, in any case (hex reads the same upper-cased).
    for (let i = 0; i + 8 <= value.length; i++) expect(problems[0]!.toLowerCase()).not.toContain(value.slice(i, i + 8).toLowerCase());
  });

  it.each([SECRET, TOKEN, SIGNING])('a credential of today\'s shapes in REDEEM_MIN_BALANCE is not repeated (%#)', (value) => {
    const text = problemsOf({ REDEEM_MIN_BALANCE: value });
    expect(text).toContain('REDEEM_MIN_BALANCE');
    expect(text.toLowerCase()).not.toContain(value.slice(0, 8).toLowerCase());
  });

  // The webhook takes a WEBHOOK_SECRET of 16 characters or more (functions/redeem/app.ts): one of 16 to 24
  // letters and digits is a secret that signs orders, however plain it looks.
  it.each(['Kq3xV9mT2pLw7nRb', 'a1b2c3d4e5f6a7b8c9d0e1f2', 'K9mT2pLw7nRb_x4Z-7qL'])('a WEBHOOK_SECRET of 16 to 24 plain characters pasted into REDEEM_MODE is not repeated (%s)', (secret) => {
    const text = problemsOf({ REDEEM_MODE: secret });
    expect(text).toContain('REDEEM_MODE');
    expect(text).not.toContain(secret.slice(0, 8));
  });
});
