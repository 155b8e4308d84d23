import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { RequestOrigin, recordActivity } from '../../../../libs/activity/src/activity-log';
import { hasControlCharacters, loggableEmail } from '../../../../libs/access/src/contact-fields';
import { LoginThrottle } from '../../../../libs/auth/src/login-throttle';
import { passwordMatches, verifyAgainstDummy } from '../../../../libs/auth/src/passwords';
import { APP_CONFIG, AppConfig } from '../../../../libs/config/src';
import { TenantDatabase } from '../../../../libs/db/src/tenant-database';
import { REDIS } from '../../../../libs/redis/src/redis.module';
import { RequestScope } from '../../../../libs/tenancy/src/request-scope';
import { StaffPrincipal, StaffRole } from '../../../../libs/tenancy/src/tenant-context';
import { TenantResolver } from '../../../../libs/tenancy/src/tenant-resolver.service';
import { metrics } from '../../../../libs/observability/src/metrics';

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

  async verify(
    rawWorkspace: unknown,
    rawEmail: unknown,
    rawPassword: unknown,
    origin: RequestOrigin,
  ): Promise<StaffPrincipal | null> {
    const ip = origin.ip ?? 'unknown';
    const workspace = typeof rawWorkspace === 'string' ? rawWorkspace.trim().toLowerCase() : '';
    const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
    const password = typeof rawPassword === 'string' ? rawPassword.slice(0, 1024) : '';
    const tenant = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(workspace)
      ? await this.resolver.resolve(`${workspace}.${this.config.PORTAL_BASE_DOMAIN}`)
      : null;
    if (!tenant) {
      // With no tenant there is no activity log to write to.
      await verifyAgainstDummy(password);
      this.logger.warn({ reason: 'invalid' }, 'staff login failed');
      return null;
    }

    this.scope.setTenant(tenant);
    if (email.length === 0 || email.length > 254 || hasControlCharacters(email) || password.length === 0) {
      await verifyAgainstDummy(password);
      // A blank or oversized field never reaches the throttle, so it is not
      // logged either; otherwise such requests could flood the activity log.
      this.logger.warn({ tenantId: tenant.id, reason: 'invalid' }, 'staff login failed');
      return null;
    }

    const verdict = await this.throttle.attempt(tenant.id, email, ip);
    if (!verdict.admitted) {
      await verifyAgainstDummy(password);
      // The throttle bounds rejected attempts only by its window, so the log
      // keeps the first one per window and the throttle's counter covers the rest.
      if (verdict.firstRejection) await this.recordFailure(email, 'locked', origin);
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
      await this.recordFailure(email, 'invalid', origin);
      this.logger.warn({ tenantId: tenant.id, reason: 'invalid' }, 'staff login failed');
      return null;
    }

    await this.throttle.recordSuccess(tenant.id, email, ip);
    await this.db.asAuth(async (db) => {
      await db.execute('UPDATE staff_users SET last_login_at = now() WHERE id = ?', [user.id]);
      await recordActivity(db, { action: 'auth.staff_login', actorType: 'staff', actorId: user.id, actorEmail: email }, origin);
    });
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

  /** Logs a failed attempt in the workspace's log with a visitor as the actor, because no user is signed in. */
  private recordFailure(email: string, reason: 'invalid' | 'locked', origin: RequestOrigin): Promise<void> {
    metrics().loginFailures.inc({ app: 'console', reason });
    return this.db.asAuth((db) =>
      recordActivity(
        db,
        { action: 'auth.staff_login_failed', actorType: 'visitor', actorEmail: loggableEmail(email), details: { reason } },
        origin,
      ),
    );
  }
}
