import type { NextFunction, Request, Response } from 'express';

/**
 * Pages load only our own scripts, styles and images; nothing may frame them.
 * Inline styles and scripts are not allowed, so branding colours arrive as a
 * stylesheet.
 */
export function securityHeaders(secure: boolean) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'same-origin');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
    next();
  };
}
