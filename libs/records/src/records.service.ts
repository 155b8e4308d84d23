import { Injectable } from '@nestjs/common';

import { RECORD_VIEWED } from '../../activity/src/activity-actions';
import { RequestOrigin, recordPortalUserActivity } from '../../activity/src/activity-log';
import { TenantDatabase } from '../../db/src/tenant-database';
import { dateInZone } from '../../locale/src';

const todayCache = new Map<string, { today: string; until: number }>();

/**
 * Returns today's date in the zone. Computing it costs an Intl call, so each
 * zone's date is reused for up to a second.
 */
function todayIn(timeZone: string, now: Date): string {
  const cached = todayCache.get(timeZone);
  if (cached && cached.until > now.getTime()) return cached.today;
  const today = dateInZone(now, timeZone);
  todayCache.set(timeZone, { today, until: now.getTime() + 1000 });
  return today;
}
import { InvalidInputError, NotFoundError } from '../../observability/src/errors';
import { RequestScope } from '../../tenancy/src/request-scope';
import { RECORD_KINDS } from './kinds';
import { buildListQuery, PAGE_SIZE } from './list-query';
import { decodeCursor, encodeCursor, isUuid, sortValueToString, timestampCursorValue } from './paging';
import { QueryContext, RecordKind } from './record-kind';

export { PAGE_SIZE };

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
    return { now, today: todayIn(this.scope.tenant().timeZone, now) };
  }

  async list(kind: RecordKind, query: ListQuery): Promise<ListPage> {
    const status = query.status ?? 'all';
    // Own keys only: a status such as "constructor" must not find an inherited property.
    const filter = status !== 'all' && Object.hasOwn(kind.filters, status) ? kind.filters[status] : null;
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

    const { sql, params } = buildListQuery(kind, {
      filter: filter ? status : null,
      cursor,
      backwards,
      today: context.today,
    });

    const fetched = await this.db.asCustomer((db) => db.execute<Array<Record<string, unknown>>>(sql, params));
    const hasMore = fetched.length > PAGE_SIZE;
    const rows = fetched.slice(0, PAGE_SIZE);
    if (backwards) rows.reverse();

    const sortValueOf = (row: Record<string, unknown>) => {
      const value = row[kind.sortColumn];
      return kind.sortType === 'timestamp' ? timestampCursorValue(value) : sortValueToString(value);
    };
    const cursorOf = (row: Record<string, unknown> | undefined) =>
      row ? encodeCursor({ sortValue: sortValueOf(row), id: String(row.id) }) : null;
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

  /**
   * Loads one record for the signed-in portal user. When `viewedFrom` is
   * given and the record is found, the view is appended to the activity log
   * in the same transaction as the read. A record that is not found records
   * nothing.
   */
  async detail(kind: RecordKind, id: string, viewedFrom?: RequestOrigin): Promise<Record<string, unknown>> {
    // A malformed id gets the same 404 as a missing or hidden one.
    if (!isUuid(id)) throw new NotFoundError(kind.singular.toLowerCase());
    const context = this.queryContext();
    const record = await this.db.asCustomer(async (db) => {
      const found = await kind.detail(db, id, context);
      if (found && viewedFrom) {
        const view = { action: RECORD_VIEWED, subjectType: kind.slug, subjectId: id };
        await recordPortalUserActivity(db, view, viewedFrom, { asynchronousCommit: true });
      }
      return found;
    });
    if (!record) throw new NotFoundError(kind.singular.toLowerCase());
    return record;
  }
}
