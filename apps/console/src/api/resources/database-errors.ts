import { DomainError } from '../../../../../libs/observability/src/errors';
import { ConflictError } from '../http/api-errors';
import { fieldOf } from './resource-columns';

interface PgError {
  code: string;
  constraint?: string;
}

function isPgError(error: unknown): error is PgError {
  return typeof (error as Partial<PgError> | null)?.code === 'string';
}

/**
 * Turns the constraint violations a valid body can still cause into
 * errors that name the field, without passing on the database's text:
 * a number another record already uses, an email another user has, or a
 * move to another company while rows of the old one point at the record,
 * the deletion of a row that other rows still point at, or a change to a
 * proposal the customer has signed.
 * Anything else is returned unchanged.
 */
export function apiErrorFromDatabase(error: unknown, operation: 'write' | 'delete' = 'write'): unknown {
  if (!isPgError(error)) return error;
  if (error.code === '23503' && operation === 'delete') {
    return new ConflictError({ externalId: 'is still referred to by other rows, such as work orders naming this equipment' });
  }
  if (error.code === '23505') {
    const column = /_tenant_id_([a-z_]+)_key$/.exec(error.constraint ?? '')?.[1];
    const field = column ? fieldOf(column) : 'externalId';
    return new ConflictError({ [field]: 'is already used by another row of this tenant' });
  }
  if (error.code === '23503') {
    return new ConflictError({
      companyExternalId: 'cannot change while other rows of the current customer company refer to this one',
    });
  }
  if (error.code === '23514' && error.constraint === 'proposals_signed_frozen') {
    return new ConflictError({ externalId: 'names a proposal the customer has signed in the portal; it can no longer change' });
  }
  if (error.code === '23514') {
    return new DomainError('constraint_violation', 422, 'The values break a rule of this resource.', {
      '(body)': `violates the rule ${error.constraint ?? 'of the table'}`,
    });
  }
  return error;
}
