import type { Resolver } from 'node:dns/promises';
import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable } from '@nestjs/common';
import type { Queue } from 'bullmq';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { recordActivity } from '../../../../libs/activity/src/activity-log';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { createDnsResolver } from '../../../../libs/domains/src/dns-resolver';
import { checkVerificationRecord } from '../../../../libs/domains/src/txt-verifier';
import { DOMAIN_VERIFICATION_QUEUE, DomainVerificationJob } from '../../../../libs/queue/src/queues';
import { REDIS } from '../../../../libs/redis/src/redis.module';
import { publishTenantChange } from '../../../../libs/tenancy/src/tenant-resolver.service';

/** Time one DNS try may take; each lookup is tried twice. */
const DNS_TIMEOUT_MS = 5000;

/** How long after it was added a pending domain is still re-checked on its own. */
const RECHECK_PERIOD_MS = 7 * 24 * 60 * 60 * 1000;

export type VerificationOutcome = 'verified' | 'failed' | 'not_pending';

interface PendingDomain {
  hostname: string;
  verification_token: string;
  created_at: Date;
}

/**
 * Checks a pending custom domain's TXT record and stores the outcome. A
 * verified domain is announced on Redis at once, so every portal process
 * drops its cached "unknown host" result for it.
 */
@Injectable()
export class DomainVerifier {
  private readonly resolver: Resolver;

  constructor(
    private readonly db: TenantDatabase,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    @InjectQueue(DOMAIN_VERIFICATION_QUEUE) private readonly queue: Queue<DomainVerificationJob>,
    private readonly logger: PinoLogger,
  ) {
    this.resolver = createDnsResolver(config.DNS_SERVERS, DNS_TIMEOUT_MS);
    this.logger.setContext(DomainVerifier.name);
  }

  async verify({ tenantId, domainId }: DomainVerificationJob, jobId?: string): Promise<VerificationOutcome> {
    const domain = await this.db.asWorkerFor(tenantId, async (db) => {
      const rows = await db.execute<PendingDomain[]>(
        'SELECT hostname, verification_token, created_at FROM tenant_domains WHERE id = ? AND verified_at IS NULL AND verification_token IS NOT NULL',
        [domainId],
      );
      return rows[0];
    });
    if (!domain) return 'not_pending';

    // The lookup runs outside any transaction, so a slow DNS server keeps no database connection busy.
    const result = await checkVerificationRecord(this.resolver, domain.hostname, domain.verification_token);
    const reason = result.verified ? null : result.reason;
    const stored = await this.db.asWorkerFor(tenantId, async (db) => {
      const rows = await db.execute(
        `UPDATE tenant_domains
         SET verified_at = CASE WHEN ?::boolean THEN now() END, last_checked_at = now(), last_check_error = ?
         WHERE id = ? AND verified_at IS NULL AND verification_token = ? RETURNING id`,
        [result.verified, reason, domainId, domain.verification_token],
      );
      if (rows.length > 0 && result.verified) {
        await recordActivity(db, {
          action: 'domain.verified',
          actorType: 'system',
          subjectType: 'tenant_domain',
          subjectId: domainId,
          details: { hostname: domain.hostname },
        });
      }
      return rows.length > 0;
    });
    if (!stored) return 'not_pending';

    const fields = { tenantId, domainId, jobId, hostname: domain.hostname };
    if (!result.verified) {
      this.logger.info({ ...fields, reason }, 'domain verification failed');
      await this.scheduleRecheck({ tenantId, domainId }, domain.created_at);
      return 'failed';
    }
    await publishTenantChange(this.redis, tenantId);
    this.logger.info(fields, 'domain verified');
    return 'verified';
  }

  /**
   * Queues the next check of a pending domain, unless it was added more than
   * seven days ago. The job id names the time slot, so failed checks in one
   * slot, such as repeated "Verify now" presses, share one re-check.
   */
  private async scheduleRecheck(job: DomainVerificationJob, addedAt: Date): Promise<void> {
    const delayMs = this.config.DOMAIN_RECHECK_SECONDS * 1000;
    const runAt = Date.now() + delayMs;
    if (runAt > new Date(addedAt).getTime() + RECHECK_PERIOD_MS) return;

    const slot = Math.ceil(runAt / delayMs);
    await this.queue.add('verify', job, { delay: delayMs, jobId: `recheck-${job.domainId}-${slot}` });
  }
}
