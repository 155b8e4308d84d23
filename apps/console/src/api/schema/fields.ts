import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

import { isBillingCurrency, isIsoDate } from '../../../../../libs/locale/src';

// Adds .openapi() to zod types, so each schema carries its own documentation.
extendZodWithOpenApi(z);

export { z };

const NO_NUL = /^[^\u0000]*$/;

/** External ids: 1 to 100 letters, digits and . _ : @ ~ -, so they fit a URL path segment as they are. */
export const EXTERNAL_ID = /^[A-Za-z0-9._:@~-]{1,100}$/;

export const externalId = z
  .string()
  .regex(EXTERNAL_ID, 'must be 1 to 100 letters, digits or the characters . _ : @ ~ -')
  .openapi({ example: 'ACME-1001' });

/** Required text of 1 to `max` characters. */
export const text = (max: number) =>
  z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`).regex(NO_NUL, 'must not contain NUL');

/** Text that may be left out or null. */
export const optionalText = (max: number) => text(max).nullable().optional();

export const date = z
  .string()
  .refine(isIsoDate, 'must be a calendar date that exists, written YYYY-MM-DD')
  .openapi({ format: 'date', example: '2026-03-14' });

export const optionalDate = date.nullable().optional();

export const timestamp = z
  .string()
  .datetime({ offset: true, message: 'must be an ISO 8601 date and time with a zone, such as 2026-03-14T09:30:00Z' })
  .refine((value) => isIsoDate(value.slice(0, 10)), 'must be a calendar date that exists')
  .openapi({ format: 'date-time', example: '2026-03-14T09:30:00Z' });

/**
 * The largest amount the API accepts, in minor units (10^15, ten trillion
 * dollars in cents). It fits bigint, and any sum of up to nine such amounts,
 * such as subtotal plus tax, stays an exact JavaScript integer (below 2^53).
 */
export const MAX_MONEY_MINOR = 1_000_000_000_000_000;

/** Returns true for an amount that `money` accepts, so sum checks can skip values that already have an issue. */
export function isValidMoney(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_MONEY_MINOR;
}

/** An amount of money in integer minor units, such as cents. */
export const money = z
  .number({ invalid_type_error: 'must be an integer number of minor units' })
  .int('must be an integer number of minor units')
  .min(0, 'must not be negative')
  .max(MAX_MONEY_MINOR, `must be at most ${MAX_MONEY_MINOR} minor units`)
  .openapi({ example: 12500 });

export const currency = z
  .string()
  .refine(isBillingCurrency, 'must be an ISO 4217 code of a currency in use, such as USD; codes such as XXX, XTS and XDR are not')
  .openapi({ example: 'USD', description: 'An ISO 4217 code of a currency in use; XXX, XTS, metals and units of account such as XDR are rejected.' });

/**
 * Returns the amount of a line: quantity times unit price, rounded half up
 * to a whole minor unit. BigInt keeps the product exact, because quantity
 * has at most three decimals and the product of two large numbers can pass 2^53.
 */
export function lineAmountOf(quantity: number, unitPriceMinor: number): number {
  const thousandths = BigInt(Math.round(quantity * 1000));
  return Number((thousandths * BigInt(unitPriceMinor) * 2n + 1000n) / 2000n);
}

/** A positive quantity with at most three decimals, as numeric(12,3) stores it. */
export const quantity = z
  .number()
  .positive('must be greater than zero')
  .max(999_999_999, 'must be less than 1,000,000,000')
  .refine((value) => Math.abs(value * 1000 - Math.round(value * 1000)) < 1e-6, 'must have at most three decimals')
  .openapi({ example: 2.5 });

/**
 * Whether customers of the company see the record. Left out, an existing
 * record keeps its sharing and a new one starts unshared.
 */
export const shared = z.boolean().optional();

/** Adds an issue when `later` is before `earlier`; both are YYYY-MM-DD or absent. */
export function notBefore(
  value: Record<string, unknown>,
  context: z.RefinementCtx,
  earlierField: string,
  laterField: string,
): void {
  const earlier = value[earlierField];
  const later = value[laterField];
  if (typeof earlier === 'string' && typeof later === 'string' && later < earlier) {
    context.addIssue({ code: z.ZodIssueCode.custom, path: [laterField], message: `must not be before ${earlierField}` });
  }
}
