import type { IncomingMessage } from 'node:http';

import type { SqlExecutor } from '../../db/src/sql-executor';

export type ActorType = 'staff' | 'portal_user' | 'visitor' | 'system';

/** What happened, and to what. Actions read `area.event`, such as `auth.login_failed`. */
export interface ActivityEntry {
  action: string;
  actorType: ActorType;
  actorId?: string | null;
  actorEmail?: string | null;
  companyId?: string | null;
  subjectType?: string | null;
  subjectId?: string | null;
  details?: Record<string, unknown>;
}

/** An event of the signed-in portal user, whose id, email and company the database fills in. */
export type PortalUserActivity = Pick<ActivityEntry, 'action' | 'subjectType' | 'subjectId' | 'details'>;

/** Where a request came from, as far as the log keeps it. */
export interface RequestOrigin {
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

const USER_AGENT_LIMIT = 512;
const EMAIL_LIMIT = 254;

/** Reads the origin from a request; the address is the one Express derived under its `trust proxy` setting. */
export function originOf(req: IncomingMessage & { ip?: string; id?: unknown }): RequestOrigin {
  const agent = req.headers['user-agent'];
  return {
    ip: req.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, USER_AGENT_LIMIT) : null,
    requestId: typeof req.id === 'string' ? req.id : null,
  };
}

/**
 * Returns an address PostgreSQL's inet accepts, or null. Express reports an
 * IPv4 client of a dual-stack socket as ::ffff:a.b.c.d, which is stored as
 * plain IPv4 so one client has one spelling in the log.
 */
export function inetOrNull(ip: string | null | undefined): string | null {
  if (!ip || ip.length > 64 || !/^[0-9a-fA-F:.]+$/.test(ip)) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1] : ip;
}

function originParams(origin: RequestOrigin): unknown[] {
  return [inetOrNull(origin.ip), origin.userAgent?.slice(0, USER_AGENT_LIMIT) ?? null, origin.requestId ?? null];
}

/**
 * Appends one entry to the current tenant's activity log, inside the
 * caller's transaction, so the entry and the change it describes commit
 * together. The tenant comes from the transaction's own setting.
 */
export async function recordActivity(db: SqlExecutor, entry: ActivityEntry, origin: RequestOrigin = {}): Promise<void> {
  await db.execute(
    `INSERT INTO activity_events (tenant_id, action, actor_type, actor_id, actor_email, company_id,
       subject_type, subject_id, ip, user_agent, request_id, details)
     VALUES ((SELECT app_current_tenant_id()), ?, ?, ?, ?, ?, ?, ?, ?::inet, ?, ?, ?::jsonb)`,
    [
      entry.action,
      entry.actorType,
      entry.actorId ?? null,
      entry.actorEmail?.slice(0, EMAIL_LIMIT) ?? null,
      entry.companyId ?? null,
      entry.subjectType ?? null,
      entry.subjectId ?? null,
      ...originParams(origin),
      JSON.stringify(entry.details ?? {}),
    ],
  );
}

export interface PortalUserActivityOptions {
  /**
   * Commits the whole transaction without waiting for its WAL flush, which
   * saves most of the entry's cost. Use it only in transactions that
   * otherwise just read, such as a page view or a download. PostgreSQL then
   * reports the commit before the entry is on disk, so a server crash within
   * three times wal_writer_delay (600 ms by default) can lose it; the
   * PostgreSQL documentation of synchronous_commit gives that bound.
   */
  asynchronousCommit?: boolean;
}

const INSERT_PORTAL_USER_EVENT = `INSERT INTO activity_events (tenant_id, action, actor_type, actor_id, actor_email,
    company_id, subject_type, subject_id, ip, user_agent, request_id, details)
  SELECT u.tenant_id, ?, 'portal_user', u.id, u.email, (SELECT app_current_company_id()), ?, ?, ?::inet, ?, ?, ?::jsonb
  FROM portal_users u`;
const CURRENT_USER = 'WHERE u.id = (SELECT app_current_user_id())';

// set_config is volatile, so PostgreSQL evaluates the CTE once rather than
// inlining it, and the setting stays in effect until the transaction commits.
const ASYNC_INSERT_PORTAL_USER_EVENT = `WITH commit_mode AS (SELECT set_config('synchronous_commit', 'off', true))
  ${INSERT_PORTAL_USER_EVENT} CROSS JOIN commit_mode ${CURRENT_USER}`;
const SYNC_INSERT_PORTAL_USER_EVENT = `${INSERT_PORTAL_USER_EVENT} ${CURRENT_USER}`;

/**
 * Appends an event of the signed-in portal user inside a `TenantDatabase.asCustomer`
 * transaction. The actor and company come from the transaction's settings,
 * which the customer_write policy compares the row with, and the email from
 * the user's row, so a caller cannot name another user or company.
 */
export async function recordPortalUserActivity(
  db: SqlExecutor,
  entry: PortalUserActivity,
  origin: RequestOrigin = {},
  options: PortalUserActivityOptions = {},
): Promise<void> {
  const sql = options.asynchronousCommit ? ASYNC_INSERT_PORTAL_USER_EVENT : SYNC_INSERT_PORTAL_USER_EVENT;
  await db.execute(sql, [
    entry.action,
    entry.subjectType ?? null,
    entry.subjectId ?? null,
    ...originParams(origin),
    JSON.stringify(entry.details ?? {}),
  ]);
}
