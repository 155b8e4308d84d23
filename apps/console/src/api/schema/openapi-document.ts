import { OpenAPIRegistry, OpenApiGeneratorV3, ResponseConfig } from '@asteasolutions/zod-to-openapi';

import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../resources/list-query';
import { fieldOf } from '../resources/resource-columns';
import { externalId, z } from './fields';
import { ResourceDefinition } from './resource-definition';
import { RESOURCES } from './resources';

const errorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'invalid_input' }),
      message: z.string(),
      details: z
        .array(z.object({ path: z.string().openapi({ example: 'lines[2].unitPriceMinor' }), reason: z.string() }))
        .optional(),
      errorId: z.string().uuid().optional().openapi({ description: 'Present on 500 responses; the server log has the same id.' }),
    }),
  })
  .openapi('Error');

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Invalid input: malformed JSON, unknown fields, wrong types or values. The details list names each failing field.',
  401: 'The API key is missing, malformed, unknown or revoked.',
  403: 'A read-only key was used on a write endpoint.',
  404: 'No such resource or record.',
  409: 'A value is already used by another row of the tenant, such as an invoice number, or other rows still refer to this one.',
  413: 'The body is larger than 1 MB.',
  415: 'The body is not sent as application/json.',
  422: 'A reference names a row that does not exist in the tenant or belongs to another customer company.',
  429: 'The key made too many requests this minute; see Retry-After.',
};

function errors(...statuses: number[]): Record<number, ResponseConfig> {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: ERROR_RESPONSES[status], content: { 'application/json': { schema: errorSchema } } },
    ]),
  );
}

/** Builds the response schema: the input fields without actions, plus ids, sharing, read-only columns and times. */
function outputSchema(resource: ResourceDefinition) {
  const omitted = Object.fromEntries((resource.actions ?? []).map((field) => [field, true as const]));
  const readOnly = Object.fromEntries(Object.entries(resource.readOnly ?? {}).map(([column, schema]) => [fieldOf(column), schema]));
  const time = z.string().openapi({ format: 'date-time', example: '2026-03-14T09:30:00.123456Z' });
  return resource.shape
    .omit(omitted)
    .extend({
      id: z.string().uuid(),
      externalId: externalId.nullable(),
      ...(resource.kind === 'record' ? { shared: z.boolean() } : {}),
      ...readOnly,
      createdAt: time,
      updatedAt: time,
    })
    .openapi(resource.name);
}

function registerResource(registry: OpenAPIRegistry, resource: ResourceDefinition): void {
  const output = outputSchema(resource);
  const json = (schema: z.ZodTypeAny) => ({ content: { 'application/json': { schema } } });
  const tags = [resource.name];
  const params = z.object({ externalId: externalId.openapi({ description: "The tenant's own id of the row." }) });
  const base = `/api/v1/${resource.path}`;

  registry.registerPath({
    method: 'get',
    path: base,
    tags,
    summary: `List ${resource.path} in (updatedAt, id) order`,
    request: {
      query: z.object({
        limit: z.string().optional().openapi({ description: `Rows per page, 1 to ${MAX_PAGE_SIZE}; ${DEFAULT_PAGE_SIZE} by default.` }),
        cursor: z.string().optional().openapi({ description: 'The nextCursor of the previous page.' }),
        updated_since: z
          .string()
          .optional()
          .openapi({ format: 'date-time', description: 'Only rows updated at or after this ISO 8601 time.' }),
      }),
    },
    responses: {
      200: { description: 'One page', ...json(z.object({ data: z.array(output), nextCursor: z.string().nullable() })) },
      ...errors(400, 401, 404, 429),
    },
  });
  registry.registerPath({
    method: 'get',
    path: `${base}/{externalId}`,
    tags,
    summary: `Read one ${resource.name} by external id`,
    request: { params },
    responses: { 200: { description: 'The row', ...json(output) }, ...errors(400, 401, 404, 429) },
  });
  registry.registerPath({
    method: 'put',
    path: `${base}/{externalId}`,
    tags,
    summary: `Create or update one ${resource.name} by external id`,
    description:
      'Sending the same body again changes nothing and returns 200. ' +
      'Detail lists, when the resource has them, replace the stored rows as a whole.',
    request: { params, body: { required: true, ...json(resource.body) } },
    responses: {
      200: { description: 'Updated, or unchanged', ...json(output) },
      201: { description: 'Created', ...json(output) },
      ...errors(400, 401, 403, 404, 409, 413, 415, 422, 429),
    },
  });
  registry.registerPath({
    method: 'delete',
    path: `${base}/{externalId}`,
    tags,
    summary: `Delete one ${resource.name} by external id`,
    description:
      'Detail rows go with it, and deleting a customer company deletes its sites, portal users and records. ' +
      'A row that other rows still refer to is a 409.',
    request: { params },
    responses: { 204: { description: 'Deleted' }, ...errors(400, 401, 403, 404, 409, 429) },
  });
}

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

let cached: OpenApiDocument | undefined;

/** Builds the OpenAPI 3 document from the same zod schemas that validate requests. */
export function openApiDocument(): OpenApiDocument {
  if (cached) return cached;
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'A key created in the console under Settings → API keys, sent as "Authorization: Bearer cpk_…".',
  });
  for (const resource of RESOURCES) registerResource(registry, resource);

  cached = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Customer portal integration API',
      version: '1',
      description: [
        "Pushes customer companies, sites, portal users and records into the portal by the tenant's own external ids.",
        'Every response carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset; a 429 also carries Retry-After.',
        'Money is in integer minor units and dates are YYYY-MM-DD.',
      ].join(' '),
    },
    servers: [{ url: '/' }],
    security: [{ [bearer.name]: [] }],
  });
  return cached;
}
