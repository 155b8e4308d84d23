import type { ZodIssue, ZodTypeAny } from 'zod';

import { InvalidInputError } from '../../../../../libs/observability/src/errors';

/** Writes a zod path the way a client reads it, such as lines[2].unitPriceMinor. */
export function pathText(path: Array<string | number>): string {
  let text = '';
  for (const part of path) {
    if (typeof part === 'number') text += `[${part}]`;
    else text += text === '' ? part : `.${part}`;
  }
  return text === '' ? '(body)' : text;
}

function reasonOf(issue: ZodIssue): string {
  if (issue.code === 'invalid_type') {
    if (issue.received === 'undefined') return 'is required';
    // A fraction where an integer is due fails .int(), whose message names the unit.
    if (issue.received === 'float') return issue.message;
    return `must be ${article(issue.expected)}, got ${issue.received}`;
  }
  if (issue.code === 'invalid_enum_value') return `must be one of ${issue.options.join(', ')}`;
  return issue.message;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * Maps every zod issue to its field path and reason; an unknown field is
 * reported under its own path. The map has no prototype, so a client's
 * field named constructor or __proto__ is stored like any other name.
 */
export function issueDetails(issues: ZodIssue[]): Record<string, string> {
  const details: Record<string, string> = Object.create(null);
  const add = (path: string, reason: string) => {
    details[path] = details[path] ? `${details[path]}; ${reason}` : reason;
  };
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) add(pathText([...issue.path, key]), 'is not a known field');
    } else {
      add(pathText(issue.path), reasonOf(issue));
    }
  }
  return details;
}

/** Validates a request body against a resource's schema; every failing field is named in one 400. */
export function validateBody<T>(schema: ZodTypeAny, body: unknown): T {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InvalidInputError({ '(body)': 'must be a JSON object' });
  }
  const result = schema.safeParse(body);
  if (!result.success) throw new InvalidInputError(issueDetails(result.error.issues));
  return result.data as T;
}
