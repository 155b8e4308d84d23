import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import { PinoLogger } from 'nestjs-pino';

import { AuthenticationRequiredError, DomainError, hasRetryAfter, SessionRevokedError } from '../../observability/src/errors';

const STATUS_TITLES: Record<number, string> = {
  400: 'That request was not valid',
  401: 'Sign in required',
  403: 'Request refused',
  404: 'Page not found',
  413: 'Request too large',
  415: 'Unsupported request',
  429: 'Too many requests',
};

/**
 * Turns every error into a page. Domain errors show their own message and
 * field problems. Anything unexpected is logged with an error id, and the
 * page shows only that id, never a stack trace or database text.
 */
@Catch()
export class ErrorPageFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    this.logger.setContext(ErrorPageFilter.name);
  }

  catch(error: unknown, host: ArgumentsHost): void {
    const req = host.switchToHttp().getRequest<Request & { tenantId?: string }>();
    const res = host.switchToHttp().getResponse<Response>();
    if (res.headersSent) return;

    if (error instanceof SessionRevokedError) {
      this.logger.warn({ tenantId: req.tenantId }, 'session of an inactive portal user ended');
      req.session.destroy(() => res.redirect(303, '/login'));
      return;
    }
    if (error instanceof AuthenticationRequiredError) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(error.returnTo)}` : '';
      res.redirect(303, `/login${next}`);
      return;
    }

    let status = 500;
    let message = 'Something went wrong on our side. The problem has been logged.';
    let details: Array<{ field: string; problem: string }> = [];
    let errorId: string | null = null;

    if (error instanceof DomainError) {
      status = error.status;
      message = error.message;
      details = Object.entries(error.details).map(([field, problem]) => ({ field, problem }));
    } else if (error instanceof HttpException && error.getStatus() < 500) {
      status = error.getStatus();
      message = status === 404 ? 'The page you asked for does not exist.' : 'The request could not be processed.';
    } else if (isBodyParserError(error)) {
      status = error.status;
      message = 'The submitted form could not be read.';
    } else if (isUnstorableText(error)) {
      // Input checks reject control characters; this catches a field they missed.
      status = 400;
      message = 'The request contains characters that cannot be stored, such as a NUL byte.';
      this.logger.warn({ tenantId: req.tenantId, code: (error as { code: string }).code }, 'request with unstorable text rejected');
    } else {
      errorId = randomUUID();
      this.logger.error({ err: error, errorId, tenantId: req.tenantId }, 'unhandled error');
    }

    const view = {
      title: STATUS_TITLES[status] ?? 'Something went wrong',
      status,
      message,
      details,
      errorId,
      // A bad filter or cursor on a list is best fixed from the list's first page.
      backLink:
        status === 400 && req.method === 'GET' && req.path !== '/'
          ? { href: req.path, label: 'Back to the first page of this list' }
          : { href: '/', label: 'Back to the dashboard' },
      // An unknown host has no tenant to brand the page with.
      layout: error instanceof DomainError && error.code === 'unknown_host' ? false : undefined,
    };
    res.status(status);
    if (error instanceof DomainError && hasRetryAfter(error)) res.setHeader('Retry-After', String(error.retryAfterSeconds));
    res.render('pages/error', view, (renderError: Error | null, html?: string) => {
      if (renderError) {
        this.logger.error({ err: renderError, errorId }, 'error page failed to render');
        res.type('text').send(`${view.title}${errorId ? ` (error id ${errorId})` : ''}`);
        return;
      }
      res.type('html').send(html);
    });
  }
}

function isBodyParserError(error: unknown): error is { status: number; type: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { type?: unknown }).type === 'string' &&
    typeof (error as { status?: unknown }).status === 'number' &&
    (error as { status: number }).status < 500
  );
}

/** PostgreSQL's errors for text it cannot store: a NUL byte, or bytes not valid in the encoding. */
function isUnstorableText(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '22021' || code === '22P05';
}
