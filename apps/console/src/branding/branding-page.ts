import {
  brandContrastChecks,
  CONTRAST_BACKGROUNDS,
  ContrastCheck,
  darkerShade,
  MIN_TEXT_CONTRAST,
} from '../../../../libs/branding/src/contrast';
import { formatLimit, MAX_LOGO_BYTES, MAX_LOGO_PIXELS, MIN_LOGO_PIXELS } from '../../../../libs/branding/src/logo-image';
import { BRANDING_FIELDS, BrandingFormValues, normalizeHexColor } from './branding-form';
import type { StoredBranding } from './branding-settings.service';

const LABELS: Record<string, string> = {
  company_name: 'Company name',
  tagline: 'Tagline',
  primary_color: 'Primary colour',
  accent_color: 'Accent colour',
  support_email: 'Support email',
  support_phone: 'Support phone',
  website_url: 'Website',
  address: 'Address',
  welcome_message: 'Welcome message',
  logo: 'Logo',
  form: 'Form',
};

const NOTICES: Record<string, string> = {
  saved: 'Branding saved. Portals show it on their next page load, and later emails use it.',
  unchanged: 'Nothing changed, so nothing was saved.',
  darkened: 'The darker shade is saved. Portals show it on their next page load.',
};

/** Problems to show: field problems are phrases after the field's label, the others whole sentences. */
export interface PageProblems {
  fields: Record<string, string>;
  sentences: Record<string, string>;
}

interface ShadeSuggestion {
  field: string;
  label: string;
  shade: string;
  /** The button applies the shade to the saved colour, so it is offered only when the form shows that colour. */
  canApply: boolean;
}

function storedValues(stored: StoredBranding): BrandingFormValues {
  return Object.fromEntries(BRANDING_FIELDS.map((field) => [field, stored[field] ?? ''])) as BrandingFormValues;
}

function contrastOf(values: BrandingFormValues, stored: StoredBranding) {
  const primary = normalizeHexColor(values.primary_color);
  const accent = normalizeHexColor(values.accent_color);
  if (!primary || !accent) return null;

  const checks = brandContrastChecks(primary, accent).map((check: ContrastCheck) => ({
    ...check,
    ratioText: `${(Math.floor(check.ratio * 100) / 100).toFixed(2)}:1`,
  }));
  const suggestions: ShadeSuggestion[] = [];
  for (const field of ['primary_color', 'accent_color'] as const) {
    if (checks.every((check) => check.field !== field || check.passes)) continue;
    const shown = field === 'primary_color' ? primary : accent;
    suggestions.push({
      field,
      label: LABELS[field].toLowerCase(),
      shade: darkerShade(shown, CONTRAST_BACKGROUNDS[field]),
      canApply: shown === stored[field],
    });
  }
  return { checks, suggestions, minimum: MIN_TEXT_CONTRAST };
}

function problemList(problems: PageProblems) {
  const phrases = Object.entries(problems.fields).map(([field, phrase]) => ({
    field,
    message: `${LABELS[field] ?? `The field “${field}”`} ${phrase}.`,
  }));
  const sentences = Object.entries(problems.sentences).map(([field, message]) => ({ field, message }));
  return [...phrases, ...sentences];
}

/**
 * Builds the data of pages/branding: the form values (saved, or as typed
 * when the form comes back with problems), each problem beside its field,
 * contrast checks with darker-shade suggestions, and the limits to show.
 */
export function brandingPage(
  stored: StoredBranding,
  options: { values?: BrandingFormValues; problems?: PageProblems; removeLogo?: boolean; done?: string; removed?: string[] } = {},
) {
  const values = options.values ?? storedValues(stored);
  const list = options.problems ? problemList(options.problems) : [];
  const byField = Object.fromEntries(list.map((problem) => [problem.field, problem.message]));
  const fieldIds = new Set([...BRANDING_FIELDS, 'logo']);

  return {
    view: 'pages/branding',
    title: list.length > 0 ? 'Error: Branding' : 'Branding',
    values,
    removeLogo: options.removeLogo ?? false,
    problems: list.map((problem) => ({ ...problem, anchor: fieldIds.has(problem.field) ? problem.field : null })),
    problem: byField,
    contrast: contrastOf(values, stored),
    logo: stored.has_logo ? { contentType: stored.logo_content_type } : null,
    version: stored.version,
    notice: options.done ? NOTICES[options.done] : undefined,
    removedFromSvg: options.removed ?? [],
    limits: { logoSize: formatLimit(MAX_LOGO_BYTES), maxBytes: MAX_LOGO_BYTES, minPixels: MIN_LOGO_PIXELS, maxPixels: MAX_LOGO_PIXELS },
  };
}
