import type Redis from 'ioredis';

export interface ThrottleLimits {
  maxAttempts: number;
  windowSeconds: number;
}

/**
 * Counts failed logins per account and per client address in fixed Redis
 * windows. Either count at the limit locks further attempts until the
 * window ends; a success clears the account's count only.
 */
export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly limits: ThrottleLimits,
    private readonly scope: string,
  ) {}

  private keys(tenantId: string, email: string, ip: string): [string, string] {
    return [`login:${this.scope}:${tenantId}:account:${email}`, `login:${this.scope}:${tenantId}:ip:${ip}`];
  }

  async isLocked(tenantId: string, email: string, ip: string): Promise<boolean> {
    const counts = await this.redis.mget(...this.keys(tenantId, email, ip));
    return counts.some((count) => Number(count ?? 0) >= this.limits.maxAttempts);
  }

  async recordFailure(tenantId: string, email: string, ip: string): Promise<void> {
    const pipeline = this.redis.multi();
    for (const key of this.keys(tenantId, email, ip)) {
      pipeline.incr(key);
      pipeline.expire(key, this.limits.windowSeconds, 'NX');
    }
    await pipeline.exec();
  }

  async recordSuccess(tenantId: string, email: string, ip: string): Promise<void> {
    await this.redis.del(this.keys(tenantId, email, ip)[0]);
  }
}
