import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { LoginThrottle } from '../../../../libs/auth/src/login-throttle';
import { passwordMatches, verifyAgainstDummy } from '../../../../libs/auth/src/passwords';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { REDIS } from '../../../../libs/redis/src/redis.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { StaffPrincipal, StaffRole } from '../../../../libs/tenancy/src/tenant-context';
import { TenantResolver } from '../../../../libs/tenancy/src/tenant-resolver.service';

interface StaffCredentialRow {
  id: string;
  role: StaffRole;
  password_hash: string | null;
  status: string;
  session_version: number;
}

/**
 * Checks staff credentials for the workspace (tenant slug) named in the form.
 * Every failure, including an unknown workspace, returns null after one
 * password hash, so a response reveals neither which workspaces nor which accounts exist.
 */
@Injectable()
export class StaffLoginService {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly resolver: TenantResolver,
    private readonly logger: PinoLogger,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.throttle = new LoginThrottle(
      redis,
      {
        perAccount: config.LOGIN_MAX_ATTEMPTS,
        perAddress: config.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
        windowSeconds: config.LOGIN_WINDOW_SECONDS,
      },
      'console',
    );
    this.logger.setContext(StaffLoginService.name);
  }

  async verify(rawWorkspace: unknown, rawEmail: unknown, rawPassword: unknown, ip: string): Promise<StaffPrincipal | null> {
    const workspace = typeof rawWorkspace === 'string' ? rawWorkspace.trim().toLowerCase() : '';
    const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
    const password = typeof rawPassword === 'string' ? rawPassword.slice(0, 1024) : '';
    const tenant = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(workspace)
      ? await this.resolver.resolve(`${workspace}.${this.config.PORTAL_BASE_DOMAIN}`)
      : null;
    if (!tenant || email.length === 0 || email.length > 254 || password.length === 0) {
      await verifyAgainstDummy(password);
      this.logger.warn({ reason: 'invalid' }, 'staff login failed');
      return null;
    }

    this.scope.setTenant(tenant);
    if (!(await this.throttle.admit(tenant.id, email, ip))) {
      await verifyAgainstDummy(password);
      this.logger.warn({ tenantId: tenant.id, reason: 'locked' }, 'staff login rejected');
      return null;
    }

    const user = await this.db.asAuth(async (db) => {
      const rows: StaffCredentialRow[] = await db.execute(
        'SELECT id, role, password_hash, status, session_version FROM staff_users WHERE email = ?',
        [email],
      );
      return rows[0];
    });
    const valid = await passwordMatches(user, password);
    if (!valid || !user) {
      this.logger.warn({ tenantId: tenant.id, reason: 'invalid' }, 'staff login failed');
      return null;
    }

    await this.throttle.recordSuccess(tenant.id, email, ip);
    await this.db.asAuth((db) => db.execute('UPDATE staff_users SET last_login_at = now() WHERE id = ?', [user.id]));
    this.logger.info({ tenantId: tenant.id, userId: user.id }, 'staff login succeeded');
    return {
      kind: 'staff',
      tenantId: tenant.id,
      tenantSlug: tenant.slug,
      userId: user.id,
      role: user.role,
      sessionVersion: user.session_version,
    };
  }
}
