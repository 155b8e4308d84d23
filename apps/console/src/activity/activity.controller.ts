import { Controller, Get, Query } from '@nestjs/common';

import { actionLabel, ACTION_LABELS } from '../../../../libs/activity/src/activity-actions';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { RECORD_KINDS } from '../../../../libs/records/src/kinds';
import { encodeCursor, timestampCursorValue } from '../../../../libs/records/src/paging';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { humanize } from '../../../../libs/web/src/view-engine';
import { Roles } from '../auth/staff-auth.guard';
import { ActivityQuery, ACTOR_TYPES, filterQueryString, parseActivityQuery } from './activity-filters';

const ACTIVITY_PAGE_SIZE = 50;

interface EventRow {
  id: string;
  occurred_at: string;
  action: string;
  actor_type: string;
  actor_email: string | null;
  actor_name: string | null;
  company_name: string | null;
  subject_type: string | null;
  subject_id: string | null;
  ip: string | null;
}

const KIND_BY_SLUG = new Map(RECORD_KINDS.map((kind) => [kind.slug, kind]));

/**
 * Builds the page's SELECT. Conditions are fixed fragments chosen by which
 * filters are set; every value travels as a parameter. The order matches
 * the activity_events_recent index, so each page reads about 50 index entries
 * when no filter discards rows.
 */
function eventsQuery(query: ActivityQuery): { sql: string; params: unknown[] } {
  const { values, since, until, after } = query;
  const conditions: string[] = [];
  const params: unknown[] = [];
  const where = (condition: string, ...values: unknown[]) => {
    conditions.push(condition);
    params.push(...values);
  };

  if (values.action) where('e.action = ?', values.action);
  if (values.actor_type) where('e.actor_type = ?', values.actor_type);
  if (values.company) where('e.company_id = ?::uuid', values.company);
  // LIKE wildcards in the search text are escaped, so it matches literally.
  if (values.email) where('e.actor_email ILIKE ?', `%${values.email.replace(/[\\%_]/g, (character) => `\\${character}`)}%`);
  if (since) where('e.occurred_at >= ?::timestamptz', since.toISOString());
  if (until) where('e.occurred_at < ?::timestamptz', until.toISOString());
  if (after) where('(e.occurred_at, e.id) < (?::timestamptz, ?::uuid)', after.sortValue, after.id);

  const sql = `SELECT e.id, e.occurred_at, e.action, e.actor_type, e.actor_email, e.subject_type, e.subject_id,
      host(e.ip) AS ip, c.name AS company_name, COALESCE(pu.name, su.name) AS actor_name
    FROM activity_events e
    LEFT JOIN customer_companies c ON c.tenant_id = e.tenant_id AND c.id = e.company_id
    LEFT JOIN portal_users pu ON e.actor_type = 'portal_user' AND pu.tenant_id = e.tenant_id AND pu.id = e.actor_id
    LEFT JOIN staff_users su ON e.actor_type = 'staff' AND su.tenant_id = e.tenant_id AND su.id = e.actor_id
    ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
    ORDER BY e.occurred_at DESC, e.id DESC
    LIMIT ${ACTIVITY_PAGE_SIZE + 1}`;
  return { sql, params };
}

/** Returns the subject's label, with a link to the console's record page when the subject is a record. */
function subjectOf(row: EventRow): { label: string; href: string | null } | null {
  if (!row.subject_type) return null;
  const kind = KIND_BY_SLUG.get(row.subject_type);
  if (kind && row.subject_id) return { label: kind.singular, href: `/records/${kind.slug}/${row.subject_id}` };
  return { label: humanize(row.subject_type), href: null };
}

/** Returns the email recorded with the event, the actor's current name when known, and the actor type. */
function actorOf(row: EventRow): { label: string; name: string | null; type: string } {
  const fallback = row.actor_type === 'system' ? 'System' : 'No email given';
  const label = row.actor_email ?? row.actor_name ?? fallback;
  return { label, name: row.actor_email ? row.actor_name : null, type: humanize(row.actor_type) };
}

/** Lists the tenant's activity log, newest first, to owners and admins. No route here changes an entry. */
@Roles('owner', 'admin')
@Controller('activity')
export class ActivityController {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  @Get()
  async list(@Query() rawQuery: Record<string, unknown>) {
    const query = parseActivityQuery(rawQuery, this.scope.tenant().timeZone);
    const { sql, params } = eventsQuery(query);
    const { fetched, companies } = await this.db.asStaff(async (db) => ({
      fetched: await db.execute<EventRow[]>(sql, params),
      companies: await db.execute('SELECT id, name FROM customer_companies ORDER BY name'),
    }));

    const rows = fetched.slice(0, ACTIVITY_PAGE_SIZE);
    const last = rows[rows.length - 1];
    const olderCursor =
      fetched.length > ACTIVITY_PAGE_SIZE && last
        ? encodeCursor({ sortValue: timestampCursorValue(last.occurred_at), id: last.id })
        : null;

    return {
      view: 'pages/activity',
      title: 'Activity',
      events: rows.map((row) => ({
        occurredAt: row.occurred_at,
        action: actionLabel(row.action),
        actor: actorOf(row),
        companyName: row.company_name,
        subject: subjectOf(row),
        ip: row.ip,
      })),
      filters: query.values,
      filterQuery: filterQueryString(query.values),
      filtered: Object.values(query.values).some(Boolean),
      olderCursor,
      isFirstPage: query.after === null,
      companies,
      actions: Object.entries(ACTION_LABELS).map(([value, label]) => ({ value, label })),
      actorTypes: ACTOR_TYPES.map((value) => ({ value, label: humanize(value) })),
    };
  }
}
