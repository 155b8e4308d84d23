import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';

import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { REDIS } from '../../../../libs/redis/src/redis.module';

/**
 * Extra time on top of WEBHOOK_TIMEOUT_MS before a slot or claim of a worker
 * that died mid-send expires, for the DNS check and the two short
 * transactions around the request.
 */
const LEASE_MARGIN_MS = 60_000;

// A sorted set per tenant holds one member per send in progress, scored by
// when its lease ends, so a slot of a crashed worker frees itself.
// KEYS[1] the set; ARGV: now in ms, lease in ms, the limit, the holder.
const ACQUIRE_TENANT_SLOT = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[2]), ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

// Deletes the claim only if this holder still owns it, so a late release
// never frees a claim that expired and was taken by another worker.
const RELEASE_CLAIM = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** A slot or claim that is held until release() is called or its lease ends. */
export interface Hold {
  release(): Promise<void>;
}

/**
 * Limits the webhook sends in progress, across every worker process, per
 * tenant (WEBHOOK_TENANT_CONCURRENCY) and per delivery (one), in Redis.
 */
@Injectable()
export class WebhookSlots {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private get leaseMs(): number {
    return this.config.WEBHOOK_TIMEOUT_MS + LEASE_MARGIN_MS;
  }

  /** Takes one of the tenant's send slots, or returns null when all are in use. */
  async acquireTenantSlot(tenantId: string): Promise<Hold | null> {
    const key = `webhooks:${tenantId}:sending`;
    const holder = randomUUID();
    const limit = this.config.WEBHOOK_TENANT_CONCURRENCY;
    const taken = await this.redis.eval(ACQUIRE_TENANT_SLOT, 1, key, Date.now(), this.leaseMs, limit, holder);
    if (taken !== 1) return null;

    return { release: async () => void (await this.redis.zrem(key, holder)) };
  }

  /**
   * Claims a delivery for one send, or returns null while another job sends
   * it. The claim is released only after the outcome is written, so the next
   * holder reads the status that send left.
   */
  async claimDelivery(deliveryId: string): Promise<Hold | null> {
    const key = `webhooks:delivery:${deliveryId}:sending`;
    const token = randomUUID();
    const claimed = await this.redis.set(key, token, 'PX', this.leaseMs, 'NX');
    if (claimed !== 'OK') return null;

    return { release: async () => void (await this.redis.eval(RELEASE_CLAIM, 1, key, token)) };
  }
}
