/**
 * The QueryAccountBalance answer (BSS OpenAPI 2017-12-14), validated at the edge. The amounts arrive as
 * strings; a thousands separator ("1,000.00") is accepted, anything else that is not plainly a decimal
 * amount is refused: a balance is never guessed from a text we do not understand.
 */
import * as z from 'zod/mini';
import { fields, requestId } from '../domain-api/schemas.js';
import { onFirstUse } from '../validation/index.js';

/** "1000.00", "1,000.00", "-12.5" (an account in arrears), or a JSON number. */
const AMOUNT = /^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$/;

/** Larger than any real balance, and small enough to stay exact in ten-thousandths. */
const MAX_BALANCE = 1e11;

function parseAmount(value: string | number): number | undefined {
  const n = typeof value === 'number' ? value : AMOUNT.test(value.trim()) ? Number(value.trim().replaceAll(',', '')) : Number.NaN;
  return Number.isFinite(n) && Math.abs(n) <= MAX_BALANCE ? n : undefined;
}

export const queryAccountBalanceSchema = onFirstUse(() => {
  const amount = z.pipe(
    z.union([z.string(), z.number()]),
    z.transform((v, ctx) => {
      const n = parseAmount(v);
      if (n === undefined) {
        ctx.issues.push({ code: 'custom', message: 'expected a decimal amount such as "1,000.00"', input: v });
        return z.NEVER;
      }
      return n;
    }),
  );

  return z.object({
    // Only quoted: held to a string, a balance answered with RequestId null was unreadable, and the guard
    // held every order for it.
    RequestId: requestId(),
    // true, as a boolean or as text: held to a boolean, a balance answered Success "true" was unreadable. An
    // answer that says it failed is no balance, whatever its Data holds (one with no Code, which BssClient's
    // errorIn200 cannot name, was read as one).
    Success: z.optional(fields().flag.check(z.refine((v) => v, { message: 'the answer says it failed (Success false), so it is no balance' }))),
    // "200" in the docs; a number too, as the error body's Code is read: whether the answer is a refusal is
    // decided before this schema (BssClient's errorIn200), and a success's Code is not used.
    Code: z.optional(z.union([z.string(), z.number()])),
    // null where a service writes its empty fields so (Java serialisers do): a field the guard does not read
    // must not cost the balance. AvailableCashAmount, CreditAmount and QuotaLimit are not read at all.
    Message: z.optional(z.nullable(z.string())),
    Data: z.object({
      AvailableAmount: amount,
      Currency: z.string().check(z.refine((v) => /^[A-Z]{3}$/.test(v), { message: 'expected a currency code such as "CNY"' })),
      // 网商银行信用额度 (MYbank credit, the trust pay 信任付 that domain orders cannot use): read as strictly
      // as the balance, since it is taken off it (see BssClient.queryAccountBalance); null or "" (an account
      // with no MYbank credit line, the international site's) is none.
      MybankCreditAmount: z.optional(z.union([z.null(), z.literal(''), amount])),
    }),
  });
});

/** A BSS error body, on a 4xx/5xx, or on a 200 that says Success: false. */
export const bssErrorBodySchema = onFirstUse(() =>
  z.object({
    Code: z.pipe(z.union([z.string(), z.number()]), z.transform((v) => String(v))),
    Message: z.optional(z.nullable(z.string())),
    // null as not said: held to a string, a refusal with RequestId null beside a Data with amounts was read as a balance.
    RequestId: z.optional(z.nullable(z.string())),
    Success: z.optional(fields().flag),
  }),
);
