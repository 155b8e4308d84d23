import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { recordActivity, RequestOrigin } from '../../../../libs/activity/src/activity-log';
import { CONTRAST_BACKGROUNDS, darkerShade } from '../../../../libs/branding/src/contrast';
import { PreparedLogo } from '../../../../libs/branding/src/logo-image';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';
import { REDIS } from '../../../../libs/redis/src/redis.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { publishTenantChange, TenantResolver } from '../../../../libs/tenancy/src/tenant-resolver.service';
import { BRANDING_FIELDS, BrandingColumns } from './branding-form';

/** The tenant's branding row without the logo bytes. */
export type StoredBranding = BrandingColumns & {
  has_logo: boolean;
  logo_content_type: string | null;
  version: number;
  updated_at: Date;
};

/** A validated save: new column values and, optionally, a new logo or its removal. */
export interface BrandingChange {
  columns: BrandingColumns;
  logo?: PreparedLogo;
  removeLogo: boolean;
}

export type ColorField = 'primary_color' | 'accent_color';

const SELECT_BRANDING = `SELECT ${BRANDING_FIELDS.join(', ')}, logo IS NOT NULL AS has_logo, logo_content_type, version, updated_at
  FROM brandings WHERE tenant_id = (SELECT app_current_tenant_id())`;

/**
 * Reads and changes the signed-in staff user's branding. Every change bumps
 * the version, is logged in the same transaction and, once committed, makes
 * every process drop its cached copy of the tenant.
 */
@Injectable()
export class BrandingSettingsService {
  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly resolver: TenantResolver,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly logger: PinoLogger,
  ) {
    this.logger.setContext(BrandingSettingsService.name);
  }

  async load(): Promise<StoredBranding> {
    return this.db.asStaff(async (db) => (await db.execute<StoredBranding[]>(SELECT_BRANDING))[0]);
  }

  async logo(): Promise<{ bytes: Buffer; contentType: string } | null> {
    const row = await this.db.asStaff(async (db) => {
      const rows = await db.execute<Array<{ logo: Buffer | null; logo_content_type: string | null }>>(
        'SELECT logo, logo_content_type FROM brandings WHERE tenant_id = (SELECT app_current_tenant_id())',
      );
      return rows[0];
    });
    if (!row?.logo || !row.logo_content_type) return null;
    return { bytes: row.logo, contentType: row.logo_content_type };
  }

  /** Saves the form and returns the names of the changed fields. Nothing is written when none changed. */
  async save(change: BrandingChange, origin: RequestOrigin): Promise<string[]> {
    const changed = await this.db.asStaff(async (db) => {
      const current = (await db.execute<StoredBranding[]>(`${SELECT_BRANDING} FOR UPDATE`))[0];
      const fields: string[] = BRANDING_FIELDS.filter((field) => change.columns[field] !== current[field]);
      const logoChanged = change.logo !== undefined || (change.removeLogo && current.has_logo);
      if (logoChanged) fields.push('logo');
      if (fields.length === 0) return fields;

      const assignments = BRANDING_FIELDS.map((field) => `${field} = ?`);
      const params: unknown[] = BRANDING_FIELDS.map((field) => change.columns[field]);
      if (logoChanged) {
        assignments.push('logo = ?', 'logo_content_type = ?');
        params.push(change.logo?.bytes ?? null, change.logo?.contentType ?? null);
      }
      await this.writeChange(db, assignments, params, fields, origin);
      return fields;
    });

    if (changed.length > 0) await this.announce(changed);
    return changed;
  }

  /**
   * Replaces one saved colour with its darker shade that meets the contrast
   * minimum. Returns the fields that changed: none when it already passes.
   */
  async applyDarkerShade(field: ColorField, origin: RequestOrigin): Promise<string[]> {
    const changed = await this.db.asStaff(async (db) => {
      const current = (await db.execute<StoredBranding[]>(`${SELECT_BRANDING} FOR UPDATE`))[0];
      const shade = darkerShade(current[field], CONTRAST_BACKGROUNDS[field]);
      if (shade === current[field]) return [];

      // The column name comes from the closed ColorField type, never from the request.
      await this.writeChange(db, [`${field} = ?`], [shade], [field], origin);
      return [field];
    });

    if (changed.length > 0) await this.announce(changed);
    return changed;
  }

  private async writeChange(
    db: SqlExecutor,
    assignments: string[],
    params: unknown[],
    fields: string[],
    origin: RequestOrigin,
  ): Promise<void> {
    await db.execute(
      `UPDATE brandings SET ${assignments.join(', ')}, version = version + 1, updated_at = now()
       WHERE tenant_id = (SELECT app_current_tenant_id())`,
      params,
    );
    const staff = this.scope.staff();
    await recordActivity(
      db,
      { action: 'branding.updated', actorType: 'staff', actorId: staff.userId, details: { fields } },
      origin,
    );
  }

  /**
   * Drops this process's cached tenant and publishes the change, so every
   * portal serves the new branding on its next request. The change is
   * already committed, so a failed publish is logged rather than raised:
   * other processes then catch up when their cache entry expires
   * (HOST_CACHE_SECONDS).
   */
  private async announce(fields: string[]): Promise<void> {
    const tenantId = this.scope.tenant().id;
    this.resolver.forget(tenantId);
    try {
      await publishTenantChange(this.redis, tenantId);
    } catch (error) {
      this.logger.error({ err: error, tenantId }, 'branding change saved but publishing it failed, so other processes keep the old branding until their cache expires');
      return;
    }
    this.logger.info({ tenantId, staffUserId: this.scope.staff().userId, fields }, 'branding updated');
  }
}
