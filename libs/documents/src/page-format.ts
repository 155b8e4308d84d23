/** Paper sizes that documents print on, named as Chromium's PDF options and CSS @page name them. */
export type PageFormat = 'Letter' | 'A4';

// US Letter is the usual office paper in the United States and Canada, and
// every other locale gets A4. NOTE: only English in those two regions maps to
// Letter, although fr-CA and es-US readers also print on Letter.
const LETTER_REGIONS = new Set(['US', 'CA']);

/** Returns the paper size for a tenant's locale: Letter for en-US and en-CA, A4 otherwise. */
export function pageFormatFor(locale: string): PageFormat {
  let parsed: Intl.Locale;
  try {
    parsed = new Intl.Locale(locale);
  } catch {
    return 'A4';
  }

  return parsed.language === 'en' && LETTER_REGIONS.has(parsed.region ?? '') ? 'Letter' : 'A4';
}
