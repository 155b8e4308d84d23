import { isWebhookEventType, WEBHOOK_EVENT_TYPES, WebhookEventType } from '../../../../libs/webhooks/src/event-types';
import { MAX_WEBHOOK_URL_LENGTH } from '../../../../libs/webhooks/src/webhook-target';

export const MAX_DESCRIPTION_LENGTH = 500;

/** The endpoint form as typed, to show again when it has problems. */
export interface WebhookFormValues {
  url: string;
  description: string;
  eventTypes: string[];
}

/** A parsed form: values, and field problems as full messages that start with the field's name. */
export interface ParsedWebhookForm {
  values: WebhookFormValues;
  eventTypes: WebhookEventType[];
  problems: Record<string, string>;
}

function oneString(value: unknown): string | null {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : null;
}

/** Reads the checkbox list, which the body parser gives as a string for one box and an array for several. */
function eventTypeList(value: unknown): string[] | null {
  if (value === undefined) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.every((item) => typeof item === 'string') ? (list as string[]) : null;
}

/**
 * Checks the fields of the add and edit forms. The URL is only checked
 * for length and form here; WebhookTargetResolver checks where it leads.
 */
export function parseWebhookForm(body: Record<string, unknown>): ParsedWebhookForm {
  const problems: Record<string, string> = {};
  const url = oneString(body.url);
  const description = oneString(body.description);
  const types = eventTypeList(body.event_types);

  if (url === null) problems.url = 'url: must be sent once';
  else if (url.trim().length > MAX_WEBHOOK_URL_LENGTH) problems.url = `url: is longer than ${MAX_WEBHOOK_URL_LENGTH} characters`;

  if (description === null) problems.description = 'description: must be sent once';
  else if (description.trim().length > MAX_DESCRIPTION_LENGTH) {
    problems.description = `description: is longer than ${MAX_DESCRIPTION_LENGTH} characters`;
  } else if (/[\u0000-\u0008\u000b-\u001f\u007f]/.test(description)) {
    problems.description = 'description: contains control characters; use plain text';
  }

  const unknown = (types ?? []).filter((type) => !isWebhookEventType(type));
  if (types === null || unknown.length > 0) {
    problems.event_types = `event_types: ${JSON.stringify(unknown[0] ?? '')} is not an event type; choose from ${WEBHOOK_EVENT_TYPES.map((entry) => entry.type).join(', ')}`;
  } else if (types.length === 0) {
    problems.event_types = 'event_types: choose at least one event';
  }

  const eventTypes = WEBHOOK_EVENT_TYPES.map((entry) => entry.type).filter((type) => (types ?? []).includes(type));
  return {
    values: { url: (url ?? '').trim(), description: (description ?? '').trim(), eventTypes: types ?? [] },
    eventTypes,
    problems,
  };
}

/** Returns the event checkboxes with their checked state, for the form. */
export function eventChoices(checked: string[]) {
  return WEBHOOK_EVENT_TYPES.map((entry) => ({ ...entry, checked: checked.includes(entry.type) }));
}
