/**
 * Domain errors carry a code and an HTTP status; one filter per app turns
 * them into pages or JSON. Anything else becomes a 500 with an error id.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly details: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** A rate limit was reached; the error page sends `Retry-After` with this many seconds. */
export interface RetryAfter {
  retryAfterSeconds: number;
}

export function hasRetryAfter(error: unknown): error is RetryAfter {
  return typeof (error as Partial<RetryAfter> | null)?.retryAfterSeconds === 'number';
}

export class NotFoundError extends DomainError {
  constructor(what = 'page') {
    super('not_found', 404, `The ${what} you asked for does not exist or is not shared with you.`);
  }
}

export class InvalidInputError extends DomainError {
  constructor(details: Record<string, string>) {
    super('invalid_input', 400, 'Some of the values in the request are not valid.', details);
  }
}

export class UnknownHostError extends DomainError {
  constructor() {
    super('unknown_host', 404, 'No portal is served at this address.');
  }
}

export class ForbiddenError extends DomainError {
  constructor() {
    super('forbidden', 403, 'Your role does not allow this page. Ask an owner or admin of your company.');
  }
}

export class CsrfError extends DomainError {
  constructor() {
    super('csrf_failed', 403, 'This form has expired or did not come from this portal. Reload the page and try again.');
  }
}

export class AuthenticationRequiredError extends DomainError {
  constructor(readonly returnTo: string) {
    super('authentication_required', 401, 'Sign in to continue.');
  }
}

/** The session names a portal user who is no longer active or no longer in that company. */
export class SessionRevokedError extends AuthenticationRequiredError {
  constructor() {
    super('/');
  }
}
