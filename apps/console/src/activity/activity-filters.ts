import { addDays, isIsoDate, zonedTimeToInstant } from '../../../../libs/locale/src';
import { InvalidInputError } from '../../../../libs/observability/src/errors';
import { Cursor, decodeCursor, isUuid } from '../../../../libs/records/src/paging';
import { singleValues } from '../../../../libs/web/src/query-params';

export const ACTOR_TYPES = ['staff', 'portal_user', 'visitor', 'system'] as const;

const FIELDS = ['action', 'actor_type', 'company', 'email', 'from', 'to', 'after'] as const;
const ACTION_PATTERN = /^[a-z]+(\.[a-z_]+)+$/;
// Date.UTC reads years below 100 as 19xx, and the day after 9999-12-31
// needs a five-digit year, so dates outside this range are rejected.
const FIRST_DATE = '1900-01-01';
const LAST_DATE = '9998-12-31';

/** Filter values as the visitor entered them, for the form and the paging links. */
export interface ActivityFilterValues {
  action: string;
  actor_type: string;
  company: string;
  email: string;
  from: string;
  to: string;
}

/** Validated filters, with the date range turned into instants of the tenant's time zone. */
export interface ActivityQuery {
  values: ActivityFilterValues;
  /** Start of the `from` day, inclusive. */
  since: Date | null;
  /** Start of the day after `to`, exclusive. */
  until: Date | null;
  /** The last event of the previous page; this page lists older ones. */
  after: Cursor | null;
}

function dateProblem(value: string): string | null {
  if (!isIsoDate(value)) return 'must be a date written YYYY-MM-DD';
  if (value < FIRST_DATE || value > LAST_DATE) return `must be between ${FIRST_DATE} and ${LAST_DATE}`;
  return null;
}

/** Collects a problem per invalid filter, keyed by the query parameter's name. */
function filterProblems(values: ActivityFilterValues): Record<string, string> {
  const problems: Record<string, string> = {};
  const { action, actor_type: actorType, company, email, from, to } = values;
  if (action && (action.length > 64 || !ACTION_PATTERN.test(action))) {
    problems.action = 'must be an action name such as auth.login';
  }
  if (actorType && !(ACTOR_TYPES as readonly string[]).includes(actorType)) {
    problems.actor_type = `must be one of ${ACTOR_TYPES.join(', ')}`;
  }
  if (company && !isUuid(company)) problems.company = 'must be a customer company id';
  if (email.length > 254) problems.email = 'must be at most 254 characters';

  const fromProblem = from ? dateProblem(from) : null;
  const toProblem = to ? dateProblem(to) : null;
  if (fromProblem) problems.from = fromProblem;
  if (toProblem) problems.to = toProblem;
  if (from && to && !fromProblem && !toProblem && to < from) problems.to = 'must not be before from';
  return problems;
}

/**
 * Reads the activity page's query parameters. Every invalid value, repeated
 * parameter or foreign cursor raises InvalidInputError naming its field.
 */
export function parseActivityQuery(query: Record<string, unknown>, timeZone: string): ActivityQuery {
  const raw = singleValues(query, FIELDS);
  const values: ActivityFilterValues = {
    action: raw.action ?? '',
    actor_type: raw.actor_type ?? '',
    company: raw.company ?? '',
    email: raw.email?.trim() ?? '',
    from: raw.from ?? '',
    to: raw.to ?? '',
  };
  const problems = filterProblems(values);
  if (Object.keys(problems).length > 0) throw new InvalidInputError(problems);

  return {
    values,
    since: values.from ? zonedTimeToInstant(values.from, '00:00', timeZone) : null,
    until: values.to ? zonedTimeToInstant(addDays(values.to, 1), '00:00', timeZone) : null,
    after: raw.after ? decodeCursor(raw.after, 'timestamp', 'after') : null,
  };
}

/** Encodes the non-empty filters as a query string, ending in & when there are any. */
export function filterQueryString(values: ActivityFilterValues): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value) params.set(name, value);
  }
  const text = params.toString();
  return text ? `${text}&` : '';
}
