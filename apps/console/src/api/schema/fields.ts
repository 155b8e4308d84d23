import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

import { isCurrency, isIsoDate } from '../../../../../libs/locale/src';

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

/** An amount of money in integer minor units, such as cents. */
export const money = z
  .number({ invalid_type_error: 'must be an integer number of minor units' })
  .int('must be an integer number of minor units')
  .min(0, 'must not be negative')
  .max(Number.MAX_SAFE_INTEGER, 'is too large')
  .openapi({ example: 12500 });

export const currency = z
  .string()
  .refine(isCurrency, 'must be an ISO 4217 currency code such as USD')
  .openapi({ example: 'USD' });

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
