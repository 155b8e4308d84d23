import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { DomainError } from '../../../../libs/observability/src/errors';
import { REDIS } from '../../../../libs/redis/src/redis.module';

const WINDOW_SECONDS = 3600;

/** A portal user has submitted SERVICE_REQUESTS_PER_HOUR requests within the hour. */
export class TooManyServiceRequestsError extends DomainError {
  constructor(
    limit: number,
    /** Seconds until the window ends and the user may submit again. */
    readonly retryAfterSeconds: number,
    /** The tenant's support phone number, when branding has one. */
    supportPhone: string | null = null,
  ) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60));
    const contact = supportPhone ? `call ${supportPhone}` : 'call us';
    super(
      'too_many_service_requests',
      429,
      `You have submitted ${limit} service requests within the last hour, which is the limit. ` +
        `Try again in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, or ${contact} if the matter is urgent.`,
    );
  }
}

// Counts the submission, sets the window on the first one and returns the
// count with the window's remaining seconds, in one atomic step.
const COUNT_SUBMISSION = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return {count, redis.call('TTL', KEYS[1])}`;

/** Limits the service requests one portal user may submit per hour, in fixed Redis windows. */
@Injectable()
export class SubmissionRateLimit {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private key(tenantId: string, userId: string): string {
    return `service-requests:${tenantId}:${userId}`;
  }

  /** Counts one submission and throws TooManyServiceRequestsError when it is over the limit. */
  async admit(tenantId: string, userId: string, supportPhone: string | null = null): Promise<void> {
    const [count, ttl] = (await this.redis.eval(COUNT_SUBMISSION, 1, this.key(tenantId, userId), WINDOW_SECONDS)) as [number, number];
    const limit = this.config.SERVICE_REQUESTS_PER_HOUR;
    if (count > limit) throw new TooManyServiceRequestsError(limit, ttl > 0 ? ttl : WINDOW_SECONDS, supportPhone);
  }

  /**
   * Throws TooManyServiceRequestsError when the user has no submission left
   * this hour, without counting one, so the form is not shown in vain.
   */
  async assertRoomFor(tenantId: string, userId: string, supportPhone: string | null = null): Promise<void> {
    const key = this.key(tenantId, userId);
    const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.ttl(key)]);
    const limit = this.config.SERVICE_REQUESTS_PER_HOUR;
    if (Number(count ?? 0) >= limit) throw new TooManyServiceRequestsError(limit, ttl > 0 ? ttl : WINDOW_SECONDS, supportPhone);
  }

  /** Gives back the slot of a submission that created nothing. */
  async release(tenantId: string, userId: string): Promise<void> {
    await this.redis.decr(this.key(tenantId, userId)).catch(() => undefined);
  }
}
