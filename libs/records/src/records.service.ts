import { Injectable } from '@nestjs/common';

import { TenantDatabase } from '../../db/src/tenant-database';
import { dateInZone, isIsoDate } from '../../locale/src';
import { InvalidInputError, NotFoundError } from '../../observability/src/errors';
import { RequestScope } from '../../tenancy/src/request-scope';
import { RECORD_KINDS } from './kinds';
import { decodeCursor, encodeCursor, isUuid, sortValueToString } from './paging';
import { QueryContext, RecordKind } from './record-kind';

export const PAGE_SIZE = 25;

export interface ListQuery {
  status?: string;
  after?: string;
  before?: string;
}

export interface ListPage {
  kind: RecordKind;
  rows: Array<Record<string, unknown>>;
  status: string;
  nextCursor: string | null;
  previousCursor: string | null;
}

/**
 * Writes today's date into the SQL as a literal. The value comes from our own
 * clock and is checked, and a literal keeps parameter order simple.
 */
export function withToday(sql: string, today: string): string {
  if (!isIsoDate(today)) throw new Error(`today must be YYYY-MM-DD, got ${today}`);
  return sql.replace(/:today\b/g, `'${today}'::date`);
}

/** Lists and loads the record kinds for the signed-in portal user. */
@Injectable()
export class RecordsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  kind(slug: string): RecordKind {
    const kind = RECORD_KINDS.find((candidate) => candidate.slug === slug);
    if (!kind) throw new NotFoundError();
    return kind;
  }

  queryContext(): QueryContext {
    const now = new Date();
    return { now, today: dateInZone(now, this.scope.tenant().timeZone) };
  }

  async list(kind: RecordKind, query: ListQuery): Promise<ListPage> {
    const status = query.status ?? 'all';
    const filter = status === 'all' ? null : kind.filters[status];
    if (status !== 'all' && !filter) {
      throw new InvalidInputError({ status: `must be one of: all, ${Object.keys(kind.filters).join(', ')}` });
    }
    if (query.after && query.before) {
      throw new InvalidInputError({ before: 'cannot be combined with after' });
    }
    const cursor = query.after
      ? decodeCursor(query.after, kind.sortType, 'after')
      : query.before
        ? decodeCursor(query.before, kind.sortType, 'before')
        : null;
    const backwards = Boolean(query.before);
    const context = this.queryContext();

    const conditions: string[] = [];
    const params: unknown[] = [];
    if (filter) conditions.push(`(${filter.where})`);
    // Forward pages continue past the cursor in the list's direction;
    // backward pages walk the other way and are reversed afterwards.
    const descending = kind.direction === 'desc' !== backwards;
    if (cursor) {
      conditions.push(`(r.${kind.sortColumn}, r.id) ${descending ? '<' : '>'} (?, ?)`);
      params.push(cursor.sortValue, cursor.id);
    }
    const order = descending ? 'DESC' : 'ASC';
    const sql = withToday(`${kind.select}
      ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
      ORDER BY r.${kind.sortColumn} ${order}, r.id ${order}
      LIMIT ${PAGE_SIZE + 1}`, context.today);

    const fetched = await this.db.asCustomer((em) => em.execute<Array<Record<string, unknown>>>(sql, params));
    const hasMore = fetched.length > PAGE_SIZE;
    const rows = fetched.slice(0, PAGE_SIZE);
    if (backwards) rows.reverse();

    const cursorOf = (row: Record<string, unknown> | undefined) =>
      row ? encodeCursor({ sortValue: sortValueToString(row[kind.sortColumn]), id: String(row.id) }) : null;
    const hasNext = backwards ? true : hasMore;
    const hasPrevious = backwards ? hasMore : Boolean(cursor);
    return {
      kind,
      rows,
      status,
      nextCursor: hasNext && rows.length > 0 ? cursorOf(rows[rows.length - 1]) : null,
      previousCursor: hasPrevious && rows.length > 0 ? cursorOf(rows[0]) : null,
    };
  }

  async detail(kind: RecordKind, id: string): Promise<Record<string, unknown>> {
    // A malformed id gets the same 404 as a missing or hidden one.
    if (!isUuid(id)) throw new NotFoundError(kind.singular.toLowerCase());
    const context = this.queryContext();
    const record = await this.db.asCustomer((em) => kind.detail(em, id, context));
    if (!record) throw new NotFoundError(kind.singular.toLowerCase());
    return record;
  }
}
