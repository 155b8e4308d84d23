import { isIsoDate } from '../../locale/src';
import { InvalidInputError } from '../../observability/src/errors';
import { SortValueType } from './record-kind';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface Cursor {
  sortValue: string;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sortValue, cursor.id])).toString('base64url');
}

/**
 * Returns true for a real UTC instant such as 2026-03-15T08:00:00.123456Z.
 * JavaScript rolls 2026-02-30 over to March and accepts year 0000, which
 * PostgreSQL rejects, so the value must survive a round trip unchanged.
 */
function isIsoTimestamp(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(value)) return false;
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime()) || parsed.getUTCFullYear() < 1) return false;
  return parsed.toISOString().slice(0, 19) === value.slice(0, 19);
}

function validSortValue(value: string, type: SortValueType): boolean {
  switch (type) {
    case 'date':
      return isIsoDate(value);
    case 'timestamp':
      return isIsoTimestamp(value);
    case 'text':
      return value.length <= 500;
  }
}

/** Decodes a page cursor, rejecting anything this code did not produce. */
export function decodeCursor(raw: string, type: SortValueType, field: string): Cursor {
  const invalid = () => new InvalidInputError({ [field]: 'is not a valid page cursor; go back to the first page' });
  if (raw.length > 800 || !/^[A-Za-z0-9_-]+$/.test(raw)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 2) throw invalid();
  const [sortValue, id] = parsed as unknown[];
  if (typeof sortValue !== 'string' || typeof id !== 'string') throw invalid();
  if (!UUID.test(id) || !validSortValue(sortValue, type)) throw invalid();
  return { sortValue, id };
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Turns a sort column value from the driver into the cursor's string form. */
export function sortValueToString(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

// PostgreSQL's ISO text output for timestamptz, such as "2026-03-15 08:00:00.12347+00".
// MikroORM 6 registers a pass-through type parser for timestamptz, so rows
// carry this text and not a Date. The offset follows the session TimeZone and
// may include minutes and seconds.
const PG_TIMESTAMPTZ = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(\.\d{1,6})?([+-])(\d{2})(?::(\d{2}))?(?::(\d{2}))?$/;

/**
 * Converts a timestamptz sort value to the UTC ISO 8601 form that cursors
 * accept. It keeps every microsecond digit, because a cursor rounded to
 * milliseconds would skip or repeat rows next to the page boundary.
 */
export function timestampCursorValue(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const match = PG_TIMESTAMPTZ.exec(String(value));
  if (!match) {
    const expected = 'expected text like 2026-03-15 08:00:00+00';
    throw new Error(`Cannot build a page cursor from timestamptz "${String(value)}", ${expected}`);
  }

  const [, date, time, fraction = '', sign, hours, minutes = '0', seconds = '0'] = match;
  const offsetSeconds = (Number(hours) * 60 + Number(minutes)) * 60 + Number(seconds);
  const utc = new Date(Date.parse(`${date}T${time}Z`) - (sign === '-' ? -1 : 1) * offsetSeconds * 1000);
  return `${utc.toISOString().slice(0, 19)}${fraction}Z`;
}
