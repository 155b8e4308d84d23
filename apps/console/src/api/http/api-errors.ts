import { DomainError } from '../../../../../libs/observability/src/errors';

/** A missing, malformed, unknown or revoked API key. All four get the same response. */
export class InvalidApiKeyError extends DomainError {
  constructor() {
    super('invalid_api_key', 401, 'The API key is missing, malformed, unknown or revoked. Send it as "Authorization: Bearer <key>".');
  }
}

export class InsufficientScopeError extends DomainError {
  constructor() {
    super('insufficient_scope', 403, 'This API key may only read. Create a read_write key in the console to write.');
  }
}

export class RateLimitedError extends DomainError {
  constructor(readonly retryAfterSeconds: number) {
    super('rate_limited', 429, `Too many requests for this API key. Retry after ${retryAfterSeconds} seconds.`);
  }
}

/** A reference by external id to a row that does not exist in this tenant, or belongs to another company. */
export class InvalidReferenceError extends DomainError {
  constructor(details: Record<string, string>) {
    super('invalid_reference', 422, 'The request refers to records that do not exist or cannot be linked.', details);
  }
}

/** A value that another row of the tenant already uses, such as an invoice number. */
export class ConflictError extends DomainError {
  constructor(details: Record<string, string>) {
    super('conflict', 409, 'The request conflicts with another record of this tenant.', details);
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor() {
    super('unsupported_media_type', 415, 'Send the request body as JSON with "Content-Type: application/json".');
  }
}

export class ResourceNotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', 404, message);
  }
}
