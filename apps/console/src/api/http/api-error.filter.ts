import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { DomainError, SessionRevokedError } from '../../../../../libs/observability/src/errors';
import { ErrorPageFilter } from '../../../../../libs/web/src/error-page.filter';
import { RateLimitedError } from './api-errors';

export const API_PREFIX = '/api/v1';

interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: Array<{ path: string; reason: string }>;
    errorId?: string;
  };
}

/**
 * Writes every error under /api/v1 as JSON, and passes the rest to the
 * console's error pages. Unexpected errors are logged with an error id and
 * the response carries only that id, never database text or a stack.
 */
@Catch()
export class ConsoleErrorFilter implements ExceptionFilter {
  constructor(
    private readonly logger: PinoLogger,
    private readonly pages: ErrorPageFilter,
  ) {
    this.logger.setContext(ConsoleErrorFilter.name);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & { tenantId?: string }>();
    if (!isApiPath(req.path)) return this.pages.catch(error, host);

    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;
    const [status, body] = this.describe(error, req);
    if (error instanceof RateLimitedError) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.status(status).setHeader('Cache-Control', 'no-store');
    res.json(body);
  }

  private describe(error: unknown, req: Request & { tenantId?: string }): [number, ApiErrorBody] {
    if (error instanceof SessionRevokedError) {
      return [401, { error: { code: 'invalid_api_key', message: 'The API key was revoked.' } }];
    }
    if (error instanceof DomainError) {
      const details = Object.entries(error.details).map(([path, reason]) => ({ path, reason }));
      const body: ApiErrorBody = { error: { code: error.code, message: error.message } };
      if (details.length > 0) body.error.details = details;
      return [error.status, body];
    }
    if (error instanceof HttpException && error.getStatus() === 404) {
      return [404, { error: { code: 'not_found', message: `No API route matches ${req.method} ${req.path}.` } }];
    }
    if (error instanceof HttpException && error.getStatus() < 500) {
      return [error.getStatus(), { error: { code: 'bad_request', message: 'The request could not be processed.' } }];
    }
    const errorId = randomUUID();
    this.logger.error({ err: error, errorId, tenantId: req.tenantId }, 'unhandled API error');
    const message = 'Something went wrong on our side. The problem has been logged with this error id.';
    return [500, { error: { code: 'internal_error', message, errorId } }];
  }
}

/**
 * Returns true for a path under /api/v1 in any letter case. Express routes
 * without regard to case, so /API/V1 reaches the API middleware too, and its
 * errors must be JSON as well.
 */
export function isApiPath(path: string): boolean {
  const lower = path.toLowerCase();
  return lower === API_PREFIX || lower.startsWith(`${API_PREFIX}/`);
}

/** Returns true for a path under /api/v1 spelled in lowercase, the only spelling the API serves. */
export function isCanonicalApiPath(path: string): boolean {
  return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
}
