/**
 * Reads and validates the Settings → Branding form. Problems are keyed by
 * form field, and the values come back as typed, so the form can be shown
 * again with each reason beside its field.
 */

/** Text fields of the form, each also a column of brandings. */
export const BRANDING_FIELDS = [
  'company_name',
  'tagline',
  'primary_color',
  'accent_color',
  'support_email',
  'support_phone',
  'website_url',
  'address',
  'welcome_message',
] as const;

export type BrandingField = (typeof BRANDING_FIELDS)[number];

/** Form values as typed, with every field present. */
export type BrandingFormValues = Record<BrandingField, string>;

/** Column values to store: optional fields left empty become NULL. */
export type BrandingColumns = { company_name: string; primary_color: string; accent_color: string } & Record<
  Exclude<BrandingField, 'company_name' | 'primary_color' | 'accent_color'>,
  string | null
>;

export interface ParsedBrandingForm {
  values: BrandingFormValues;
  removeLogo: boolean;
  problems: Record<string, string>;
  /** Set when problems is empty. */
  columns?: BrandingColumns;
}

const MULTI_LINE_FIELDS = new Set<string>(['address', 'welcome_message']);
const OTHER_FIELDS = new Set(['_csrf', 'remove_logo']);
const MAX_LENGTHS: Record<BrandingField, number> = {
  company_name: 200,
  tagline: 200,
  primary_color: 7,
  accent_color: 7,
  support_email: 254,
  support_phone: 50,
  website_url: 500,
  address: 500,
  welcome_message: 2000,
};

// Control characters other than tab and line breaks. Line breaks are allowed only in multi-line fields.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const EMAIL = /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:"]+\.[^\s@<>()[\]\\,;:".]+$/;
const PHONE = /^\+?[0-9 ().\/-]+(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$/i;

/** Accepts #rgb or #rrggbb in any case and returns the lower-case six-digit form, or null. */
export function normalizeHexColor(value: string): string | null {
  const match = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim());
  if (!match) return null;
  const digits = match[1].toLowerCase();
  return `#${digits.length === 3 ? [...digits].map((digit) => digit + digit).join('') : digits}`;
}

function checkWebsite(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be a full web address such as https://www.example.com';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must start with https:// or http://';
  if (url.username || url.password) return 'must not contain a user name or password';
  if (!url.hostname.includes('.')) return 'must name a public host such as www.example.com';
  return null;
}

/** Returns the reason a non-empty, trimmed value is invalid for its field, or null. */
function problemWith(field: BrandingField, value: string): string | null {
  if (value.length > MAX_LENGTHS[field]) return `must be at most ${MAX_LENGTHS[field]} characters`;
  if (CONTROL_CHARACTERS.test(value) || (!MULTI_LINE_FIELDS.has(field) && /[\r\n]/.test(value))) {
    return MULTI_LINE_FIELDS.has(field) ? 'must not contain control characters' : 'must be a single line of text';
  }
  switch (field) {
    case 'primary_color':
    case 'accent_color':
      return normalizeHexColor(value) ? null : 'must be a hex colour such as #1f4e79';
    case 'support_email':
      return EMAIL.test(value) ? null : 'must be an email address such as support@example.com';
    case 'support_phone':
      return PHONE.test(value) && (value.match(/[0-9]/g)?.length ?? 0) >= 5
        ? null
        : 'must be a phone number of digits, spaces, +, -, ( and ), such as +1 555 010 0199';
    case 'website_url':
      return checkWebsite(value);
    default:
      return null;
  }
}

function toColumns(values: BrandingFormValues): BrandingColumns {
  const optional = (value: string) => (value === '' ? null : value);
  return {
    company_name: values.company_name,
    tagline: optional(values.tagline),
    primary_color: normalizeHexColor(values.primary_color)!,
    accent_color: normalizeHexColor(values.accent_color)!,
    support_email: optional(values.support_email.toLowerCase()),
    support_phone: optional(values.support_phone),
    website_url: optional(values.website_url),
    address: optional(values.address),
    welcome_message: optional(values.welcome_message),
  };
}

/** Reads the submitted form body. Unknown and repeated fields are problems too. */
export function parseBrandingForm(body: Record<string, unknown>): ParsedBrandingForm {
  const problems: Record<string, string> = {};
  const values = {} as BrandingFormValues;

  for (const name of Object.keys(body)) {
    if (!(BRANDING_FIELDS as readonly string[]).includes(name) && !OTHER_FIELDS.has(name)) {
      problems[name] = 'is not a field of this form';
    }
  }

  for (const field of BRANDING_FIELDS) {
    const raw = body[field] ?? '';
    if (typeof raw !== 'string') {
      values[field] = '';
      problems[field] = 'must be given once';
      continue;
    }
    const value = raw.replace(/\r\n?/g, '\n').trim();
    values[field] = value;
    if (value === '') {
      if (field === 'company_name') problems[field] = 'is required';
      if (field === 'primary_color' || field === 'accent_color') problems[field] = 'is required';
      continue;
    }
    const problem = problemWith(field, value);
    if (problem) problems[field] = problem;
  }

  const removeLogo = body.remove_logo === '1';
  const parsed: ParsedBrandingForm = { values, removeLogo, problems };
  if (Object.keys(problems).length === 0) parsed.columns = toColumns(values);
  return parsed;
}
