/** Money is stored as integer minor units beside an ISO 4217 currency code. */

const digitsCache = new Map<string, number>();

/** Number of minor-unit digits of a currency: 2 for USD, 0 for JPY, 3 for KWD. */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** Returns true when Intl accepts the code as a currency. */
export function isCurrency(code: string): boolean {
  if (!/^[A-Z]{3}$/.test(code)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency: code });
    return true;
  } catch {
    return false;
  }
}

/**
 * ISO 4217 codes that name no money an invoice can be paid in: special
 * drawing rights and other units of account, precious metals, the test code
 * and "no currency". XAF, XCD, XCG, XOF and XPF are real currencies and are
 * not listed.
 */
const NON_BILLING_CODES = new Set(['XAG', 'XAU', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XPD', 'XPT', 'XSU', 'XTS', 'XUA', 'XXX']);

let billingCurrencies: Set<string> | undefined;

/**
 * Returns true for a currency that bills can be written in: one that the
 * ICU data of this Node.js build lists (Intl.supportedValuesOf) and that is
 * not a unit of account, a metal or a test code. isCurrency accepts any
 * three capital letters, such as QQQ.
 */
export function isBillingCurrency(code: string): boolean {
  billingCurrencies ??= new Set(Intl.supportedValuesOf('currency'));
  return billingCurrencies.has(code) && !NON_BILLING_CODES.has(code);
}

/**
 * Parses a decimal string in major units ("1250.5") into minor units. Rejects
 * more fraction digits than the currency has instead of rounding them away.
 */
export function parseMajorUnits(value: string, currency: string): bigint {
  const digits = currencyDigits(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) throw new RangeError(`"${value}" is not a decimal amount such as 1250.00`);
  const fraction = match[3] ?? '';
  if (fraction.length > digits) {
    throw new RangeError(`"${value}" has more than ${digits} decimal places for ${currency}`);
  }
  const minor = BigInt(match[2] + fraction.padEnd(digits, '0'));
  return match[1] ? -minor : minor;
}

/**
 * Multiplies minor units by a decimal factor ("1.5", "8.25" percent as
 * "0.0825") and rounds half away from zero, in exact integer arithmetic.
 */
export function multiplyMinor(minor: bigint, factor: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(factor.trim());
  if (!match) throw new RangeError(`"${factor}" is not a non-negative decimal number`);
  const scale = 10n ** BigInt((match[2] ?? '').length);
  const numerator = minor * BigInt(match[1] + (match[2] ?? ''));
  const quotient = numerator / scale;
  const remainder = numerator % scale;
  return remainder * 2n >= scale ? quotient + 1n : quotient;
}

/** Percentage ("8.25") of an amount in minor units, rounded half up. */
export function percentOf(minor: bigint, percent: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(percent.trim());
  if (!match) throw new RangeError(`"${percent}" is not a percentage such as 8.25`);
  const fraction = match[2] ?? '';
  const scale = 10n ** BigInt(fraction.length + 2);
  const numerator = minor * BigInt(match[1] + fraction);
  const quotient = numerator / scale;
  return (numerator % scale) * 2n >= scale ? quotient + 1n : quotient;
}
