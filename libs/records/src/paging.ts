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

function validSortValue(value: string, type: SortValueType): boolean {
  switch (type) {
    case 'date':
      return isIsoDate(value);
    case 'timestamp':
      return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$/.test(value) && !Number.isNaN(Date.parse(value));
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
