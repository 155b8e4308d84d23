import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { APP_CONFIG, AppConfig } from '../../../../../libs/config/src';
import { TenantDatabase } from '../../../../../libs/db/src/tenant-database';
import { REDIS } from '../../../../../libs/redis/src/redis.module';
import { ApiKeyPrincipal, ApiKeyScope, TenantContext } from '../../../../../libs/tenancy/src/tenant-context';
import { TenantResolver } from '../../../../../libs/tenancy/src/tenant-resolver.service';
import { hashSecret, parseApiKey, secretMatches } from './api-key-secret';

interface CredentialRow {
  tenant_id: string;
  tenant_slug: string;
  key_id: string;
  secret_hash: Buffer;
  scope: ApiKeyScope;
  revoked: boolean;
}

export interface AuthenticatedKey {
  principal: ApiKeyPrincipal;
  tenant: TenantContext;
}

/** A fixed hash compared against when no key matches, so unknown keys cost the same as wrong secrets. */
const NO_KEY_HASH = hashSecret(Buffer.alloc(32));
const LAST_USED_INTERVAL_SECONDS = 60;

/**
 * Checks a bearer key: finds it by public id through api_key_credentials(),
 * compares the secret's SHA-256 in constant time, and resolves its tenant.
 * Returns null for anything that does not authenticate.
 */
@Injectable()
export class ApiKeyAuthenticator {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly db: TenantDatabase,
    private readonly resolver: TenantResolver,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(ApiKeyAuthenticator.name);
  }

  async authenticate(presented: string): Promise<AuthenticatedKey | null> {
    const parsed = parseApiKey(presented);
    if (!parsed) return null;

    const rows = await this.db.asApiKeyLookup((sql) =>
      sql.execute<CredentialRow[]>(
        'SELECT tenant_id, tenant_slug, key_id, secret_hash, scope, revoked FROM api_key_credentials(?)',
        [parsed.publicId],
      ),
    );
    const row = rows[0];
    const matches = secretMatches(parsed.secret, row?.secret_hash ?? NO_KEY_HASH);
    if (!row || !matches || row.revoked) return null;

    const tenant = await this.resolver.resolve(`${row.tenant_slug}.${this.config.PORTAL_BASE_DOMAIN}`);
    if (!tenant || tenant.id !== row.tenant_id) return null;
    return { principal: { kind: 'api_key', tenantId: row.tenant_id, keyId: row.key_id, scope: row.scope }, tenant };
  }

  /**
   * Stamps the key's last use, at most once a minute per key across every
   * console process, so a busy integration does not write on each request.
   */
  async touch(principal: ApiKeyPrincipal): Promise<void> {
    const claimed = await this.redis.set(`api:key-used:${principal.keyId}`, '1', 'EX', LAST_USED_INTERVAL_SECONDS, 'NX');
    if (claimed !== 'OK') return;
    try {
      await this.db.asApiKey((sql) => sql.execute('UPDATE api_keys SET last_used_at = now() WHERE id = ?', [principal.keyId]));
    } catch (error) {
      // A lost stamp only makes "last used" older; the request itself goes on.
      this.logger.warn({ err: error, tenantId: principal.tenantId, apiKeyId: principal.keyId }, 'API key use not recorded');
    }
  }
}
