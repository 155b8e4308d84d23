import { randomBytes } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';

import { recordActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { NotFoundError } from '../../../../libs/observability/src/errors';
import { DOMAIN_VERIFICATION_QUEUE, DomainVerificationJob } from '../../../../libs/queue/src/queues';
import { REDIS } from '../../../../libs/redis/src/redis.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { publishTenantChange } from '../../../../libs/tenancy/src/tenant-resolver.service';

export interface DomainRow {
  id: string;
  hostname: string;
  verification_token: string | null;
  verified_at: string | null;
  is_primary: boolean;
  last_checked_at: string | null;
  last_check_error: string | null;
  created_at: string;
}

/** A hostname that this or another tenant already has; the reason completes the sentence "hostname …". */
export class DomainTakenError extends Error {
  constructor(readonly reason: string) {
    super(`hostname: ${reason}`);
    this.name = 'DomainTakenError';
  }
}

const DOMAIN_COLUMNS = 'id, hostname, verification_token, verified_at, is_primary, last_checked_at, last_check_error, created_at';

/**
 * Reads and changes the signed-in staff user's custom domains. Row-level
 * security keeps every query inside the tenant, so another tenant's id finds
 * nothing and becomes a 404. Each change is logged in its transaction, and
 * a change that affects which hosts serve the tenant is published on Redis
 * after commit.
 */
@Injectable()
export class CustomDomainsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    @InjectQueue(DOMAIN_VERIFICATION_QUEUE) private readonly queue: Queue<DomainVerificationJob>,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  list(): Promise<DomainRow[]> {
    return this.db.asStaff((db) => db.execute<DomainRow[]>(`SELECT ${DOMAIN_COLUMNS} FROM tenant_domains ORDER BY hostname`));
  }

  /**
   * Claims a normalised hostname for the tenant with a fresh verification
   * token, and queues its first check. Throws DomainTakenError when this or
   * another tenant already has it.
   */
  async add(hostname: string, origin: RequestOrigin): Promise<string> {
    const token = randomBytes(24).toString('base64url');
    const id = await this.db.asStaff(async (db) => {
      // NOTE: the hostname index is global and a claim needs no proof. So a
      // tenant can block a domain it does not control until it removes the
      // claim. The claim never serves traffic, because only verified rows
      // do, and platform operators release a squatted name by deleting it.
      const rows = await db.execute<Array<{ id: string }>>(
        `INSERT INTO tenant_domains (tenant_id, hostname, verification_token, added_by)
         VALUES ((SELECT app_current_tenant_id()), ?, ?, ?) ON CONFLICT (hostname) DO NOTHING RETURNING id`,
        [hostname, token, this.scope.staff().userId],
      );
      if (rows.length === 0) throw await this.takenError(db, hostname);
      await this.log(db, 'domain.added', rows[0].id, { hostname }, origin);
      return rows[0].id;
    });
    await this.queueCheck(id);
    return id;
  }

  /** Queues a check of a pending domain's TXT record. */
  async requestVerification(id: string, origin: RequestOrigin): Promise<void> {
    await this.db.asStaff(async (db) => {
      const domain = await this.find(db, id);
      await this.log(db, 'domain.verification_requested', id, { hostname: domain.hostname }, origin);
    });
    await this.queueCheck(id);
  }

  /** Deletes the domain; removing the primary one makes the platform hostname the tenant's address again. */
  async remove(id: string, origin: RequestOrigin): Promise<void> {
    await this.db.asStaff(async (db) => {
      const rows = await db.execute<Array<{ hostname: string; is_primary: boolean }>>(
        'DELETE FROM tenant_domains WHERE id = ? RETURNING hostname, is_primary',
        [id],
      );
      if (rows.length === 0) throw new NotFoundError('domain');
      await this.log(db, 'domain.removed', id, { hostname: rows[0].hostname, was_primary: rows[0].is_primary }, origin);
    });
    await publishTenantChange(this.redis, this.scope.staff().tenantId);
  }

  /**
   * Makes a verified domain the primary one, or with null the platform
   * hostname. Returns false when the domain is not verified.
   */
  async makePrimary(id: string | null, origin: RequestOrigin): Promise<boolean> {
    const changed = await this.db.asStaff(async (db) => {
      // Locks the tenant's domains, so a concurrent change waits and then reads this one's primary.
      await db.execute('SELECT 1 FROM tenant_domains FOR UPDATE');
      const domain = id ? await this.find(db, id) : null;
      if (domain && !domain.verified_at) return false;

      // The partial unique index allows one primary per tenant, so the old one is cleared first.
      await db.execute('UPDATE tenant_domains SET is_primary = false WHERE is_primary');
      if (id) await db.execute('UPDATE tenant_domains SET is_primary = true WHERE id = ?', [id]);
      await this.log(db, 'domain.primary_changed', id, { hostname: domain?.hostname ?? null }, origin);
      return true;
    });
    if (changed) await publishTenantChange(this.redis, this.scope.staff().tenantId);
    return changed;
  }

  async find(db: SqlExecutor, id: string): Promise<DomainRow> {
    const [domain] = await db.execute<DomainRow[]>(`SELECT ${DOMAIN_COLUMNS} FROM tenant_domains WHERE id = ?`, [id]);
    if (!domain) throw new NotFoundError('domain');
    return domain;
  }

  private async takenError(db: SqlExecutor, hostname: string): Promise<DomainTakenError> {
    const own = await db.execute('SELECT 1 FROM tenant_domains WHERE hostname = ?', [hostname]);
    // Row-level security hides other tenants' rows, so a conflict this tenant cannot see is another workspace's claim.
    return new DomainTakenError(own.length > 0 ? 'is already added to this workspace' : 'is already in use by another workspace');
  }

  /**
   * Queues a check of the domain. The job id names the domain and the
   * minute, so pressing "Verify now" again within a minute joins the
   * queued check instead of adding one per press.
   */
  private async queueCheck(domainId: string): Promise<void> {
    const minute = Math.floor(Date.now() / 60_000);
    await this.queue.add('verify', { tenantId: this.scope.staff().tenantId, domainId }, { jobId: `verify-${domainId}-${minute}` });
  }

  private log(db: SqlExecutor, action: string, domainId: string | null, details: Record<string, unknown>, origin: RequestOrigin): Promise<void> {
    const entry = { action, actorType: 'staff' as const, actorId: this.scope.staff().userId, subjectType: 'tenant_domain', subjectId: domainId, details };
    return recordActivity(db, entry, origin);
  }
}
