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
import { PortalPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { metrics } from '../../../../libs/observability/src/metrics';

interface CredentialRow {
  id: string;
  company_id: string;
  password_hash: string | null;
  status: string;
  session_version: number;
}

/**
 * Checks portal credentials. Every failure (unknown email, wrong password,
 * inactive user, locked out) returns null, so callers cannot tell them apart,
 * and each costs one password hash so timing does not tell either.
 */
@Injectable()
export class LoginService {
  private readonly throttle: LoginThrottle;

  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly logger: PinoLogger,
    @Inject(REDIS) redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.throttle = new LoginThrottle(
      redis,
      {
        perAccount: config.LOGIN_MAX_ATTEMPTS,
        perAddress: config.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
        windowSeconds: config.LOGIN_WINDOW_SECONDS,
      },
      'portal',
    );
    this.logger.setContext(LoginService.name);
  }

  async verify(rawEmail: unknown, rawPassword: unknown, origin: RequestOrigin): Promise<PortalPrincipal | null> {
    const tenantId = this.scope.tenant().id;
    const ip = origin.ip ?? 'unknown';
    const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
    const password = typeof rawPassword === 'string' ? rawPassword : '';
    if (email.length === 0 || email.length > 254 || hasControlCharacters(email) || password.length === 0 || password.length > 1024) {
      await verifyAgainstDummy(password.slice(0, 1024));
      // A blank or oversized field never reaches the throttle, so it is not
      // logged either; otherwise such requests could flood the activity log.
      return null;
    }

    const verdict = await this.throttle.attempt(tenantId, email, ip);
    if (!verdict.admitted) {
      await verifyAgainstDummy(password);
      // The throttle bounds rejected attempts only by its window, so the log
      // keeps the first one per window and the throttle's counter covers the rest.
      if (verdict.firstRejection) await this.recordFailure(email, 'locked', origin);
      this.logger.warn({ tenantId, reason: 'locked' }, 'portal login rejected');
      return null;
    }

    const user = await this.db.asAuth(async (db) => {
      const rows: CredentialRow[] = await db.execute(
        'SELECT id, company_id, password_hash, status, session_version FROM portal_users WHERE email = ?',
        [email],
      );
      return rows[0];
    });
    const valid = await passwordMatches(user, password);

    if (!valid || !user) {
      await this.recordFailure(email, 'invalid', origin);
      this.logger.warn({ tenantId, reason: 'invalid' }, 'portal login failed');
      return null;
    }

    await this.throttle.recordSuccess(tenantId, email, ip);
    await this.db.asAuth(async (db) => {
      await db.execute('UPDATE portal_users SET last_login_at = now() WHERE id = ?', [user.id]);
      await recordActivity(
        db,
        { action: 'auth.login', actorType: 'portal_user', actorId: user.id, actorEmail: email, companyId: user.company_id },
        origin,
      );
    });
    this.logger.info({ tenantId, userId: user.id }, 'portal login succeeded');
    return { kind: 'portal', tenantId, companyId: user.company_id, userId: user.id, sessionVersion: user.session_version };
  }

  /**
   * Logs a failed attempt with a visitor as the actor, because no user is
   * signed in. Like a success, it costs one write transaction, so the two
   * take similar time.
   */
  private recordFailure(email: string, reason: 'invalid' | 'locked', origin: RequestOrigin): Promise<void> {
    metrics().loginFailures.inc({ app: 'portal', reason });
    return this.db.asAuth((db) =>
      recordActivity(
        db,
        { action: 'auth.login_failed', actorType: 'visitor', actorEmail: loggableEmail(email), details: { reason } },
        origin,
      ),
    );
  }
}
