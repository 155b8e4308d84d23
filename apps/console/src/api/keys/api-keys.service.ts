import { Injectable } from '@nestjs/common';

import { RequestOrigin, recordActivity } from '../../../../../libs/activity/src/activity-log';
import { TenantDatabase } from '../../../../../libs/db/src/tenant-database';
import { RequestScope } from '../../../../../libs/tenancy/src/request-scope';
import { generateApiKey, keyPrefix } from './api-key-secret';

export type KeyScope = 'read' | 'read_write';
export const KEY_SCOPES: readonly KeyScope[] = ['read', 'read_write'];

export interface ApiKeyListing {
  id: string;
  name: string;
  scope: KeyScope;
  prefix: string;
  created_by_name: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** Creates, lists and revokes the tenant's API keys as the signed-in staff user. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
  ) {}

  list(): Promise<ApiKeyListing[]> {
    return this.db.asStaff(async (sql) => {
      const rows = await sql.execute<Array<ApiKeyListing & { public_id: string }>>(
        `SELECT k.id, k.name, k.scope, k.public_id, s.name AS created_by_name, k.created_at, k.last_used_at, k.revoked_at
         FROM api_keys k LEFT JOIN staff_users s ON s.tenant_id = k.tenant_id AND s.id = k.created_by
         ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC`,
      );
      return rows.map(({ public_id: publicId, ...row }) => ({ ...row, prefix: keyPrefix(publicId) }));
    });
  }

  /** Stores a new key's hash and returns the full key, which exists nowhere else afterwards. */
  create(name: string, keyScope: KeyScope, origin: RequestOrigin): Promise<string> {
    const staff = this.scope.staff();
    const key = generateApiKey();
    return this.db.asStaff(async (sql) => {
      const [row] = await sql.execute<Array<{ id: string }>>(
        `INSERT INTO api_keys (tenant_id, public_id, name, scope, secret_hash, created_by)
         VALUES ((SELECT app_current_tenant_id()), ?, ?, ?, ?, ?) RETURNING id`,
        [key.publicId, name, keyScope, key.secretHash, staff.userId],
      );
      await recordActivity(
        sql,
        {
          action: 'integration.key_created',
          actorType: 'staff',
          actorId: staff.userId,
          subjectType: 'api_key',
          subjectId: row.id,
          details: { name, scope: keyScope, prefix: keyPrefix(key.publicId) },
        },
        origin,
      );
      return key.fullKey;
    });
  }

  /** Revokes a key; returns false when it does not exist in this tenant or was revoked already. */
  revoke(keyId: string, origin: RequestOrigin): Promise<boolean> {
    const staff = this.scope.staff();
    return this.db.asStaff(async (sql) => {
      const rows = await sql.execute<Array<{ name: string; public_id: string }>>(
        `UPDATE api_keys SET revoked_at = now(), revoked_by = ? WHERE id = ? AND revoked_at IS NULL RETURNING name, public_id`,
        [staff.userId, keyId],
      );
      if (!rows[0]) return false;
      await recordActivity(
        sql,
        {
          action: 'integration.key_revoked',
          actorType: 'staff',
          actorId: staff.userId,
          subjectType: 'api_key',
          subjectId: keyId,
          details: { name: rows[0].name, prefix: keyPrefix(rows[0].public_id) },
        },
        origin,
      );
      return true;
    });
  }
}
