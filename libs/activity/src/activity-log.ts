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

/** Where a request came from, as far as the log keeps it. */
export interface RequestOrigin {
  ip?: string | null;
  userAgent?: string | null;
  requestId?: string | null;
}

const USER_AGENT_LIMIT = 512;

/** Reads the origin from a request; the address is the one Express derived under TRUST_PROXY rules. */
export function originOf(req: IncomingMessage & { ip?: string; id?: unknown }): RequestOrigin {
  const agent = req.headers['user-agent'];
  return {
    ip: req.ip ?? null,
    userAgent: typeof agent === 'string' ? agent.slice(0, USER_AGENT_LIMIT) : null,
    requestId: typeof req.id === 'string' ? req.id : null,
  };
}

/** An address PostgreSQL's inet accepts, or null; Express may report IPv4 as ::ffff:a.b.c.d, which inet reads too. */
function inetOrNull(ip: string | null | undefined): string | null {
  if (!ip || ip.length > 64 || !/^[0-9a-fA-F:.]+$/.test(ip)) return null;
  return ip;
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
      entry.actorEmail?.slice(0, 254) ?? null,
      entry.companyId ?? null,
      entry.subjectType ?? null,
      entry.subjectId ?? null,
      inetOrNull(origin.ip),
      origin.userAgent?.slice(0, USER_AGENT_LIMIT) ?? null,
      origin.requestId ?? null,
      JSON.stringify(entry.details ?? {}),
    ],
  );
}
