import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

import { CsrfError } from '../../observability/src/errors';
import './session';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const VISITOR_SESSION_MS = 30 * 60 * 1000;

/** Returns the session's CSRF token, creating it on first use. */
export function csrfToken(req: Request & { tenantId?: string }): string {
  const session = req.session;
  if (!session.csrfToken) {
    session.csrfToken = randomBytes(32).toString('base64url');
    session.tenantId = req.tenantId;
    // A visitor's session holds only this token, so it expires soon; sign-in
    // starts a new session with the full lifetime.
    if (!req.user) session.cookie.maxAge = VISITOR_SESSION_MS;
  }
  return session.csrfToken;
}

/**
 * Synchronizer-token check on every unsafe request: the form's _csrf field
 * (or the X-CSRF-Token header) must equal the token in the server-side
 * session. Sibling tenant portals are same-site to each other, so SameSite
 * cookies alone would not stop a hostile one.
 */
export function csrfProtection(req: Request, _res: Response, next: NextFunction): void {
  if (SAFE_METHODS.has(req.method)) return next();
  const expected = req.session?.csrfToken;
  const body = req.body as Record<string, unknown> | undefined;
  const sent = typeof body?._csrf === 'string' ? body._csrf : req.get('x-csrf-token');
  if (!expected || typeof sent !== 'string' || sent.length !== expected.length) return next(new CsrfError());
  if (!timingSafeEqual(Buffer.from(sent), Buffer.from(expected))) return next(new CsrfError());
  next();
}
