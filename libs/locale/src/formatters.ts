import { currencyDigits } from './money';

// Entries kept per formatter in each of the date and money caches.
const CACHE_SIZE = 4096;

/**
 * Formats money and dates for one tenant's locale and time zone. Intl
 * formatters are costly to build, so each combination is built once.
 */
export class TenantFormatter {
  private readonly moneyFormats = new Map<string, Intl.NumberFormat>();
  private readonly dateCache = new Map<string, string>();
  private readonly moneyCache = new Map<string, string>();
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly dateTimeFormat: Intl.DateTimeFormat;
  private readonly dayFormat: Intl.DateTimeFormat;

  constructor(
    readonly locale: string,
    readonly timeZone: string,
  ) {
    // Calendar dates carry no zone, so they are formatted as UTC midnight.
    this.dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
    this.dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
    this.dateTimeFormat = new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone,
    });
  }

  money(minor: bigint | number | string, currency: string): string {
    const key = `${currency}${minor}`;
    let formatted = this.moneyCache.get(key);
    if (formatted === undefined) {
      let format = this.moneyFormats.get(currency);
      if (!format) {
        format = new Intl.NumberFormat(this.locale, { style: 'currency', currency });
        this.moneyFormats.set(currency, format);
      }
      formatted = format.format(Number(minor) / 10 ** currencyDigits(currency));
      if (this.moneyCache.size >= CACHE_SIZE) this.moneyCache.clear();
      this.moneyCache.set(key, formatted);
    }
    return formatted;
  }

  /** Formats a calendar date given as YYYY-MM-DD or a Date at UTC midnight. */
  date(value: string | Date | null | undefined): string {
    if (value === null || value === undefined) return '';
    if (value instanceof Date) return this.dateFormat.format(value);

    // Pages repeat the same dates and amounts, and Intl formatting costs
    // microseconds each, so formatted values are kept in bounded caches.
    const key = value.slice(0, 10);
    let formatted = this.dateCache.get(key);
    if (formatted === undefined) {
      if (this.dateCache.size >= CACHE_SIZE) this.dateCache.clear();
      formatted = this.dateFormat.format(new Date(`${key}T00:00:00Z`));
      this.dateCache.set(key, formatted);
    }
    return formatted;
  }

  /** Formats the calendar date of an instant in the tenant's time zone. */
  day(value: Date | string | null | undefined): string {
    if (value === null || value === undefined) return '';
    return this.dayFormat.format(typeof value === 'string' ? new Date(value) : value);
  }

  dateTime(value: Date | string | null | undefined): string {
    if (value === null || value === undefined) return '';
    return this.dateTimeFormat.format(typeof value === 'string' ? new Date(value) : value);
  }
}

const formatters = new Map<string, TenantFormatter>();

/** Returns the shared formatter for a locale and time zone. */
export function formatterFor(locale: string, timeZone: string): TenantFormatter {
  const key = `${locale}|${timeZone}`;
  let formatter = formatters.get(key);
  if (!formatter) {
    formatter = new TenantFormatter(locale, timeZone);
    formatters.set(key, formatter);
  }
  return formatter;
}
