import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import Redis from 'ioredis';

import { APP_CONFIG, AppConfig } from '../../config/src';
import { TenantDatabase } from '../../db/src/tenant-database';
import { createRedis } from '../../redis/src/redis.module';
import { normalizeHost, platformSlug } from './hostname';
import { TenantContext } from './tenant-context';

/** Redis channel on which any process announces a tenant's host or branding change. */
export const TENANT_CHANGED_CHANNEL = 'tenancy:changed';

// An unknown host is remembered briefly, so a flood of made-up hosts costs
// one query per host and a newly added domain still shows up quickly.
const UNKNOWN_HOST_TTL_MS = 10_000;

// Entries kept per process. Made-up hosts could otherwise grow the cache
// without limit; past the cap the oldest entries go first.
export const HOST_CACHE_MAX_ENTRIES = 10_000;

interface CacheEntry {
  tenant: TenantContext | null;
  expiresAt: number;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  locale: string;
  time_zone: string;
  currency: string;
  company_name: string;
  tagline: string | null;
  has_logo: boolean;
  primary_color: string;
  accent_color: string;
  support_email: string | null;
  support_phone: string | null;
  website_url: string | null;
  address: string | null;
  welcome_message: string | null;
  version: number;
  primary_host: string | null;
}

/**
 * Maps a request's host to its tenant. Results are cached in memory and
 * dropped in every process when a change is published on Redis.
 */
@Injectable()
export class TenantResolver implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(TenantResolver.name);
  private readonly cache = new Map<string, CacheEntry>();
  /** Lookups in progress by host. */
  private readonly loading = new Map<string, Promise<TenantContext | null>>();
  /** Counts published changes, so a lookup can tell whether one happened while it ran. */
  private generation = 0;
  private subscriber?: Redis;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly db: TenantDatabase,
  ) {}

  async onModuleInit(): Promise<void> {
    this.subscriber = createRedis(this.config.REDIS_URL, 'tenancy-subscriber');
    this.subscriber.on('message', (_channel: string, tenantId: string) => this.forget(tenantId));
    await this.subscriber.subscribe(TENANT_CHANGED_CHANNEL);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }

  /** Returns the tenant for a raw Host header value, or null for an unknown host. */
  async resolve(rawHost: string | undefined): Promise<TenantContext | null> {
    const host = normalizeHost(rawHost);
    if (!host) return null;

    const cached = this.cache.get(host);
    if (cached && cached.expiresAt > Date.now()) return cached.tenant;

    // Requests for the same uncached host share one lookup.
    const pending = this.loading.get(host);
    if (pending) return pending;
    const lookup: Promise<TenantContext | null> = this.loadAndCache(host).finally(() => {
      if (this.loading.get(host) === lookup) this.loading.delete(host);
    });
    this.loading.set(host, lookup);
    return lookup;
  }

  private async loadAndCache(host: string): Promise<TenantContext | null> {
    const generation = this.generation;
    const tenant = await this.load(host);
    // A change published while the lookup ran may have made its result stale,
    // so that result serves this request but is not cached.
    if (generation !== this.generation) return tenant;

    const ttl = tenant ? this.config.HOST_CACHE_SECONDS * 1000 : UNKNOWN_HOST_TTL_MS;
    this.cache.delete(host);
    while (this.cache.size >= HOST_CACHE_MAX_ENTRIES) {
      this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(host, { tenant, expiresAt: Date.now() + ttl });
    return tenant;
  }


  /** Drops cached entries of one tenant, or all of them for '*'. */
  forget(tenantId: string): void {
    this.generation += 1;
    // Requests after the change start their own lookup instead of joining one that began before it.
    this.loading.clear();
    for (const [host, entry] of this.cache) {
      if (tenantId === '*' || entry.tenant === null || entry.tenant.id === tenantId) this.cache.delete(host);
    }
    this.logger.log({ tenantId }, 'tenant cache invalidated');
  }

  private async load(host: string): Promise<TenantContext | null> {
    const slug = platformSlug(host, this.config.PORTAL_BASE_DOMAIN);
    const tenantId = await this.db.asResolver(async (db) => {
      const rows: Array<{ id: string }> = slug
        ? await db.execute('SELECT id FROM tenants WHERE slug = ?', [slug])
        : // The join drops domains of suspended tenants, because portal_resolver can read active tenants only.
          await db.execute(
            'SELECT d.tenant_id AS id FROM tenant_domains d JOIN tenants t ON t.id = d.tenant_id WHERE d.hostname = ?',
            [host],
          );
      return rows[0]?.id ?? null;
    });
    if (!tenantId) return null;

    const row = await this.db.asVisitorOf(tenantId, async (db) => {
      const rows: TenantRow[] = await db.execute(
        `SELECT t.id, t.slug, t.name, t.locale, t.time_zone, t.currency,
                b.company_name, b.tagline, b.logo IS NOT NULL AS has_logo, b.primary_color, b.accent_color,
                b.support_email, b.support_phone, b.website_url, b.address, b.welcome_message, b.version,
                (SELECT hostname FROM tenant_domains WHERE is_primary AND verified_at IS NOT NULL LIMIT 1) AS primary_host
         FROM tenants t JOIN brandings b ON b.tenant_id = t.id`,
      );
      return rows[0];
    });
    if (!row) return null;
    return this.toContext(row);
  }

  private toContext(row: TenantRow): TenantContext {
    const host = row.primary_host ?? `${row.slug}.${this.config.PORTAL_BASE_DOMAIN}`;
    return {
      id: row.id,
      slug: row.slug,
      name: row.name,
      locale: row.locale,
      timeZone: row.time_zone,
      currency: row.currency,
      portalUrl: this.config.PORTAL_PUBLIC_URL_TEMPLATE.replace('{host}', host),
      branding: {
        companyName: row.company_name,
        tagline: row.tagline,
        hasLogo: row.has_logo,
        primaryColor: row.primary_color,
        accentColor: row.accent_color,
        supportEmail: row.support_email,
        supportPhone: row.support_phone,
        websiteUrl: row.website_url,
        address: row.address,
        welcomeMessage: row.welcome_message,
        version: row.version,
      },
    };
  }
}

/** Tells every process to drop its cached view of a tenant. */
export async function publishTenantChange(redis: Redis, tenantId: string): Promise<void> {
  await redis.publish(TENANT_CHANGED_CHANNEL, tenantId);
}
