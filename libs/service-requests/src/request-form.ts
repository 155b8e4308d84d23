import { addDays, isIsoDate } from '../../locale/src';

/** Request categories for the trades the portal serves. The label is stored in service_requests.category. */
export const CATEGORIES = [
  { value: 'fire_alarm', label: 'Fire alarm', workType: 'repair' },
  { value: 'sprinkler', label: 'Sprinkler or fire suppression', workType: 'repair' },
  { value: 'extinguishers', label: 'Fire extinguishers', workType: 'maintenance' },
  { value: 'emergency_lighting', label: 'Emergency and exit lighting', workType: 'repair' },
  { value: 'heating', label: 'Heating', workType: 'repair' },
  { value: 'cooling', label: 'Cooling and air conditioning', workType: 'repair' },
  { value: 'ventilation', label: 'Ventilation', workType: 'repair' },
  { value: 'electrical', label: 'Electrical', workType: 'repair' },
  { value: 'elevator', label: 'Elevator or escalator', workType: 'repair' },
  { value: 'inspection', label: 'Inspection or test', workType: 'inspection' },
  { value: 'installation', label: 'New installation', workType: 'installation' },
  { value: 'other', label: 'Other', workType: 'repair' },
] as const;

export const URGENCIES = [
  { value: 'low', label: 'Low: whenever convenient' },
  { value: 'normal', label: 'Normal: within a few days' },
  { value: 'high', label: 'High: as soon as possible' },
  { value: 'emergency', label: 'Emergency: safety risk or system down' },
] as const;

export const DESCRIPTION_MIN_CHARACTERS = 10;
export const DESCRIPTION_MAX_CHARACTERS = 4000;

/** Preferred visit dates a request may give, and how far ahead they may lie. */
export const MAX_PREFERRED_DATES = 3;
export const PREFERRED_DATE_MAX_DAYS_AHEAD = 180;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The form's text fields as submitted, kept to fill the form again after an error. */
export interface RequestFormValues {
  submissionKey: string;
  siteId: string;
  equipmentId: string;
  category: string;
  urgency: string;
  description: string;
  preferredDates: string[];
}

/** Field values that passed the checks that need no database. */
export interface ValidRequestFields {
  submissionKey: string;
  siteId: string;
  equipmentId: string | null;
  categoryLabel: string;
  workType: string;
  urgency: string;
  description: string;
  preferredDates: string[];
}

function field(body: Record<string, unknown>, name: string): string {
  const value = body[name];
  return typeof value === 'string' ? value : '';
}

/** Reads the form's fields from a parsed body; anything missing or not a string reads as empty. */
export function readRequestForm(body: Record<string, unknown>): RequestFormValues {
  return {
    submissionKey: field(body, 'submission_key').trim(),
    siteId: field(body, 'site_id').trim(),
    equipmentId: field(body, 'equipment_id').trim(),
    category: field(body, 'category').trim(),
    urgency: field(body, 'urgency').trim(),
    description: field(body, 'description').replace(/\r\n/g, '\n').trim(),
    preferredDates: Array.from({ length: MAX_PREFERRED_DATES }, (_, index) => field(body, `preferred_date_${index + 1}`).trim()),
  };
}

function checkPreferredDates(dates: string[], today: string): { dates: string[] } | { problem: string } {
  const chosen = [...new Set(dates.filter((date) => date !== ''))].sort();
  const latest = addDays(today, PREFERRED_DATE_MAX_DAYS_AHEAD);
  for (const date of chosen) {
    if (!isIsoDate(date)) return { problem: `${date} is not a date; use the format YYYY-MM-DD.` };
    if (date < today) return { problem: `${date} is in the past; choose today or a later date.` };
    if (date > latest) return { problem: `${date} is more than ${PREFERRED_DATE_MAX_DAYS_AHEAD} days ahead.` };
  }
  return { dates: chosen };
}

function checkDescription(description: string): string | null {
  const length = Array.from(description).length;
  if (length === 0) return 'Describe the problem or the work you need.';
  if (length < DESCRIPTION_MIN_CHARACTERS) return `Write at least ${DESCRIPTION_MIN_CHARACTERS} characters.`;
  if (length > DESCRIPTION_MAX_CHARACTERS) {
    return `Write at most ${DESCRIPTION_MAX_CHARACTERS} characters; this has ${length}.`;
  }
  if (CONTROL_CHARACTERS.test(description)) return 'Remove the control characters from the text.';
  return null;
}

/**
 * Checks the fields that need no database: formats, the fixed lists, the
 * description's length and the preferred dates against today in the
 * tenant's time zone. Returns the cleaned fields, or a problem per field name.
 */
export function validateRequestForm(
  values: RequestFormValues,
  today: string,
): { fields: ValidRequestFields } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  if (!UUID.test(values.submissionKey)) errors.submission_key = 'This form has expired. Reload the page and submit it again.';
  if (values.siteId === '') errors.site_id = 'Choose the site that needs service.';
  else if (!UUID.test(values.siteId)) errors.site_id = 'Choose one of the listed sites.';
  if (values.equipmentId !== '' && !UUID.test(values.equipmentId)) errors.equipment_id = 'Choose one of the listed equipment.';

  const category = CATEGORIES.find((candidate) => candidate.value === values.category);
  if (!category) errors.category = 'Choose a category.';
  if (!URGENCIES.some((candidate) => candidate.value === values.urgency)) errors.urgency = 'Choose how urgent the request is.';

  const descriptionProblem = checkDescription(values.description);
  if (descriptionProblem) errors.description = descriptionProblem;

  const dates = checkPreferredDates(values.preferredDates, today);
  if ('problem' in dates) errors.preferred_dates = dates.problem;

  if (Object.keys(errors).length > 0 || !category || 'problem' in dates) return { errors };
  return {
    fields: {
      submissionKey: values.submissionKey,
      siteId: values.siteId,
      equipmentId: values.equipmentId === '' ? null : values.equipmentId,
      categoryLabel: category.label,
      workType: category.workType,
      urgency: values.urgency,
      description: values.description,
      preferredDates: dates.dates,
    },
  };
}

/** Returns the work order type for a stored category label; unknown labels, such as provisioned ones, are repairs. */
export function workTypeOf(categoryLabel: string): string {
  return CATEGORIES.find((category) => category.label === categoryLabel)?.workType ?? 'repair';
}
