import { z } from 'zod';

import { isIsoDate } from '../../../../../libs/locale/src';
import { InvalidInputError } from '../../../../../libs/observability/src/errors';
import { singleValues } from '../../../../../libs/web/src/query-params';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

const PARAMETERS = ['limit', 'cursor', 'updated_since'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** updated_at as the list query writes it: UTC with microseconds. */
const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const isoTimestamp = z.string().datetime({ offset: true });
const MIN_YEAR = 1970;
const MAX_YEAR = 9999;

/** The position after the last row of a page: that row's updated_at and id. */
export interface PagePosition {
  updatedAt: string;
  id: string;
}

export interface ListQuery {
  limit: number;
  after: PagePosition | null;
  updatedSince: string | null;
}

export function encodeCursor(position: PagePosition): string {
  return Buffer.from(JSON.stringify([position.updatedAt, position.id])).toString('base64url');
}

function decodeCursor(cursor: string): PagePosition | null {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(decoded) || decoded.length !== 2) return null;
    const [updatedAt, id] = decoded as unknown[];
    if (typeof updatedAt !== 'string' || !CURSOR_TIME.test(updatedAt) || !isTimestamp(updatedAt)) return null;
    if (typeof id !== 'string' || !UUID.test(id)) return null;
    return { updatedAt, id };
  } catch {
    return null;
  }
}

/** Reads limit, cursor and updated_since; an unknown, repeated or malformed parameter is a 400 that names it. */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  // No prototype, so a parameter named constructor or __proto__ is reported like any other.
  const problems: Record<string, string> = Object.create(null);
  for (const name of Object.keys(query)) {
    if (!(PARAMETERS as readonly string[]).includes(name)) problems[name] = 'is not a known parameter';
  }
  const values = singleValues(query, PARAMETERS);

  let limit = DEFAULT_PAGE_SIZE;
  if (values.limit !== undefined) {
    limit = /^\d{1,4}$/.test(values.limit) ? Number(values.limit) : 0;
    if (limit < 1 || limit > MAX_PAGE_SIZE) problems.limit = `must be a whole number from 1 to ${MAX_PAGE_SIZE}`;
  }
  const after = values.cursor === undefined ? null : decodeCursor(values.cursor);
  if (values.cursor !== undefined && !after) problems.cursor = 'is not a cursor this API returned';
  const updatedSince = values.updated_since ?? null;
  if (updatedSince !== null && !isTimestamp(updatedSince)) {
    problems.updated_since = 'must be an ISO 8601 date and time with a zone, such as 2026-03-14T09:30:00Z';
  }

  if (Object.keys(problems).length > 0) throw new InvalidInputError(problems);
  return { limit, after, updatedSince };
}

/**
 * Checks the ISO 8601 form, that the calendar date exists, which the format
 * alone does not (2026-02-30), and that the year is from 1970 to 9999, so
 * PostgreSQL never gets a value it rejects as out of range (year 0000).
 */
export function isTimestamp(value: string): boolean {
  if (!isoTimestamp.safeParse(value).success || !isIsoDate(value.slice(0, 10))) return false;
  const year = Number(value.slice(0, 4));

  return year >= MIN_YEAR && year <= MAX_YEAR && !Number.isNaN(Date.parse(value));
}
