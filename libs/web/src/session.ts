import { RedisStore } from 'connect-redis';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import session from 'express-session';
import type Redis from 'ioredis';

import { AppConfig } from '../../config/src';

declare module 'express-session' {
  interface SessionData {
    tenantId: string;
    csrfToken: string;
    /** Name and company of the signed-in user for the page header, read once at sign-in. */
    profile: { name: string; companyName: string };
  }
}

/** The app a session belongs to; it names the cookie and the Redis key prefix. */
export type SessionApp = 'portal' | 'console';

/** Name of the session cookie; __Host- binds it to the exact host over HTTPS. */
export function sessionCookieName(config: AppConfig, app: SessionApp): string {
  return config.COOKIE_SECURE ? `__Host-${app}_session` : `${app}_session`;
}

/**
 * Server-side sessions in Redis behind a host-only cookie: no Domain
 * attribute, so the browser never sends one portal's cookie to another.
 * Each app has its own cookie and keys, so a portal session means nothing to
 * the console.
 */
export function sessionMiddleware(config: AppConfig, redis: Redis, app: SessionApp): RequestHandler {
  return session({
    name: sessionCookieName(config, app),
    secret: config.SESSION_SECRET,
    // Sessions last SESSION_TTL_MINUTES from sign-in. Not extending them on
    // each request saves a Redis write per page view.
    store: new RedisStore({
      client: redis,
      prefix: `${app}:session:`,
      ttl: config.SESSION_TTL_MINUTES * 60,
      disableTouch: true,
    }),
    resave: false,
    saveUninitialized: false,
    rolling: false,
    proxy: config.TRUSTED_PROXIES.length > 0,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.COOKIE_SECURE,
      path: '/',
      maxAge: config.SESSION_TTL_MINUTES * 60 * 1000,
    },
  });
}

type TenantRequest = Request & { tenantId?: string; user?: { tenantId: string } };

/**
 * Binds a session to the tenant whose host created it. Browsers never send a
 * host-only cookie to another host, so such a cookie was copied by hand. It
 * is swapped for a fresh empty session. The stored session is left untouched,
 * so the replay cannot end the owner's session either.
 */
export function bindSessionToTenant(req: TenantRequest, _res: Response, next: NextFunction): void {
  const tenantId = req.tenantId;
  const stored = req.session.tenantId;
  const principal = req.user;
  const foreign = (stored !== undefined && stored !== tenantId) || (principal !== undefined && principal.tenantId !== tenantId);
  if (foreign) {
    req.sessionStore.generate(req);
    req.user = undefined;
  }
  next();
}
