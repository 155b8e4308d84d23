import { Inject, Injectable } from '@nestjs/common';
import type Redis from 'ioredis';
import { PinoLogger } from 'nestjs-pino';

import { recordActivity, RequestOrigin } from '../../activity/src/activity-log';
import { accessTokenHash } from '../../auth/src/access-links';
import { LoginThrottle } from '../../auth/src/login-throttle';
import { passwordProblem } from '../../auth/src/password-policy';
import { hashPassword } from '../../auth/src/passwords';
import { APP_CONFIG, AppConfig } from '../../config/src';
import { TenantDatabase } from '../../db/src/tenant-database';
import { EmailOutbox } from '../../queue/src/email-outbox';
import { RecordedWebhookEvent, WebhookOutbox } from '../../queue/src/webhook-outbox';
import { REDIS } from '../../redis/src/redis.module';
import { RequestScope } from '../../tenancy/src/request-scope';
import { emailProblem } from './contact-fields';
import { findOpenLink, issueAccessLink, OpenLink, redeemAccessLink } from './access-links';

export type AccountKind = 'portal' | 'staff';

export type SetPasswordResult =
  | { ok: true; userId: string; companyId: string | null; sessionVersion: number; purpose: OpenLink['purpose'] }
  | { ok: false; link: OpenLink; problems: Record<string, string> }
  | { ok: false; link: null };

/**
 * The set-password and forgot-password flows shared by the portal and the
 * console. Every query runs as portal_auth for the tenant of the request, so
 * a link of one tenant finds nothing on another.
 */
@Injectable()
export class SetPasswordService {
  private readonly throttle: LoginThrottle;
  /** The sign-in throttles of each app, whose account count a new password clears. */
  private readonly signInThrottles: Record<AccountKind, LoginThrottle>;

  constructor(
    private readonly db: TenantDatabase,
    private readonly scope: RequestScope,
    private readonly outbox: EmailOutbox,
    private readonly webhooks: WebhookOutbox,
    private readonly logger: PinoLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) redis: Redis,
  ) {
    this.throttle = new LoginThrottle(
      redis,
      {
        perAccount: config.PASSWORD_RESET_MAX_REQUESTS,
        perAddress: config.PASSWORD_RESET_MAX_REQUESTS * 10,
        windowSeconds: 3600,
      },
      'password-reset',
    );
    const signInLimits = {
      perAccount: config.LOGIN_MAX_ATTEMPTS,
      perAddress: config.LOGIN_MAX_ATTEMPTS_PER_ADDRESS,
      windowSeconds: config.LOGIN_WINDOW_SECONDS,
    };
    this.signInThrottles = {
      portal: new LoginThrottle(redis, signInLimits, 'portal'),
      staff: new LoginThrottle(redis, signInLimits, 'console'),
    };
    this.logger.setContext(SetPasswordService.name);
  }

  /** Returns the open link behind a token, or null for a used, voided, expired, foreign or malformed one. */
  async preview(kind: AccountKind, rawToken: unknown): Promise<OpenLink | null> {
    const hash = accessTokenHash(rawToken);
    if (!hash) return null;
    return this.db.asAuth((db) => findOpenLink(db, kind, hash));
  }

  /**
   * Checks the new password, then spends the link and stores the password in
   * one transaction. The hash is computed before the transaction opens, so no
   * connection waits on argon2.
   */
  async complete(
    kind: AccountKind,
    rawToken: unknown,
    rawPassword: unknown,
    rawConfirmation: unknown,
    origin: RequestOrigin,
  ): Promise<SetPasswordResult> {
    const link = await this.preview(kind, rawToken);
    if (!link) return { ok: false, link: null };

    const password = typeof rawPassword === 'string' ? rawPassword : '';
    const problems: Record<string, string> = {};
    const problem = passwordProblem(password, link.email, [link.name ?? '', this.scope.tenant().name]);
    if (problem) problems.password = problem;
    else if (rawConfirmation !== password) problems.confirmation = 'does not match the password';
    if (Object.keys(problems).length > 0) return { ok: false, link, problems };

    const passwordHash = await hashPassword(password);
    const hash = accessTokenHash(rawToken)!;
    const { done, event } = await this.db.asAuth(async (db) => {
      const redeemed = await redeemAccessLink(db, kind, hash, passwordHash);
      let activated: RecordedWebhookEvent | null = null;
      if (redeemed?.firstActivation && redeemed.purpose === 'invitation') {
        activated = await this.webhooks.record(db, {
          type: 'portal_user.activated',
          data: { portal_user_id: redeemed.userId, company_id: redeemed.companyId, email: link.email, name: link.name },
        });
      }
      if (redeemed) {
        await recordActivity(
          db,
          {
            action: redeemed.purpose === 'invitation' ? 'auth.invitation_accepted' : 'auth.password_reset',
            actorType: kind === 'portal' ? 'portal_user' : 'staff',
            actorId: redeemed.userId,
            actorEmail: link.email,
            companyId: redeemed.companyId,
          },
          origin,
        );
      }
      return { done: redeemed, event: activated };
    });
    if (!done) return { ok: false, link: null };
    if (event) await this.dispatchEvent(event);
    // Failed attempts before the reset must not lock out the password just chosen.
    await this.signInThrottles[kind].clearAccount(this.scope.tenant().id, link.email);
    this.logger.info({ tenantId: this.scope.tenant().id, userId: done.userId, kind }, 'password set from a link');
    const { firstActivation: _firstActivation, ...result } = done;
    return { ok: true, ...result };
  }

  /**
   * Queues the activation event's deliveries. The password is already set,
   * so a failure is logged rather than raised; the worker's webhook sweep
   * queues the deliveries later.
   */
  private async dispatchEvent(event: RecordedWebhookEvent): Promise<void> {
    const tenantId = this.scope.tenant().id;
    try {
      await this.webhooks.dispatch(tenantId, event);
    } catch (error) {
      this.logger.error({ err: error, tenantId, eventId: event.eventId }, 'webhook deliveries recorded but not queued; the sweep queues them');
    }
  }

  /**
   * Starts sending a reset link and returns at once. The caller responds the
   * same whatever happens, and responding before the lookup, the writes and
   * the queue call keeps the response time from telling whether the address
   * has an account. Failures are logged here, since no caller waits.
   */
  startResetRequest(kind: AccountKind, rawEmail: unknown, origin: RequestOrigin): void {
    this.requestReset(kind, rawEmail, origin).catch((error: unknown) =>
      this.logger.error({ err: error, tenantId: this.scope.tenant().id, kind }, 'password reset request failed'),
    );
  }

  /** Sends a reset link if the email belongs to a user who may sign in; does nothing otherwise. */
  async requestReset(kind: AccountKind, rawEmail: unknown, origin: RequestOrigin): Promise<void> {
    const tenantId = this.scope.tenant().id;
    const email = typeof rawEmail === 'string' ? rawEmail.trim().toLowerCase() : '';
    if (emailProblem(email)) return;
    if (!(await this.throttle.admit(tenantId, `${kind}:${email}`, origin.ip ?? 'unknown'))) {
      this.logger.warn({ tenantId, kind }, 'password reset request over the limit');
      return;
    }

    const users = kind === 'portal' ? 'portal_users' : 'staff_users';
    const company = kind === 'portal' ? 'company_id' : 'NULL::uuid AS company_id';
    const deliveryId = await this.db.asAuth(async (db) => {
      const rows: Array<{ id: string; company_id: string | null }> = await db.execute(
        `SELECT id, ${company} FROM ${users} WHERE email = ? AND status <> 'disabled'`,
        [email],
      );
      if (rows.length === 0) return null;
      const holder = kind === 'portal' ? { portalUserId: rows[0].id } : { staffUserId: rows[0].id };
      const tokenId = await issueAccessLink(db, holder, 'password_reset', this.config.PASSWORD_RESET_TTL_MINUTES, null, false);
      const [id] = await this.outbox.record(db, [{ kind: 'password_reset', recipient: email, accessTokenId: tokenId }]);
      await recordActivity(
        db,
        {
          action: 'auth.password_reset_requested',
          actorType: 'visitor',
          actorEmail: email,
          companyId: rows[0].company_id,
          subjectType: kind === 'portal' ? 'portal_user' : 'staff_user',
          subjectId: rows[0].id,
        },
        origin,
      );
      return id;
    });
    if (deliveryId) await this.outbox.dispatch(tenantId, [deliveryId]);
  }
}
