import express from 'express';
import type { NextFunction, Request, Response } from 'express';

import { DomainError } from '../../../../../libs/observability/src/errors';
import { UnsupportedMediaTypeError } from './api-errors';

export const MAX_API_BODY = '1mb';

const parseJson = express.json({ limit: MAX_API_BODY, strict: true, type: () => true });

/** body-parser's error types mapped to the API's errors. */
const PARSER_ERRORS: Record<string, () => DomainError> = {
  'entity.parse.failed': () =>
    new DomainError('invalid_json', 400, 'The request body is not valid JSON, or not a JSON object or array.'),
  'entity.too.large': () => new DomainError('payload_too_large', 413, 'The request body is larger than 1 MB.'),
  'encoding.unsupported': () => new UnsupportedMediaTypeError(),
  'charset.unsupported': () => new UnsupportedMediaTypeError(),
};

function parserError(error: unknown): unknown {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && PARSER_ERRORS[type] ? PARSER_ERRORS[type]() : error;
}

/**
 * Parses JSON bodies of write requests, up to 1 MB. Any other content type
 * is a 415; a body that is not JSON, or not an object or array, is a 400;
 * a larger one is a 413. The error filter writes each as JSON.
 */
export function apiJsonBody(req: Request, res: Response, next: NextFunction): void {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'DELETE') return next();
  if (!req.is('application/json')) return next(new UnsupportedMediaTypeError());
  parseJson(req, res, (error?: unknown) => next(error === undefined ? undefined : parserError(error)));
}
