import SwaggerParser from '@apidevtools/swagger-parser';
import type { NestExpressApplication } from '@nestjs/platform-express';

import { RESOURCES } from '../../apps/console/src/api/schema/resources';
import { apiRequest } from '../support/api-client';
import { startConsole } from '../support/portal-harness';

describe('API documentation', () => {
  let app: NestExpressApplication;
  let port: number;

  beforeAll(async () => {
    ({ app, port } = await startConsole());
  });

  afterAll(() => app.close());

  it('OpenAPI document validates', async () => {
    const response = await apiRequest(port, 'GET', '/api/v1/openapi.json');

    expect(response.status).toBe(200);
    expect(response.json.openapi).toMatch(/^3\./);
    // validate() dereferences in place, so it gets its own copy.
    await expect(SwaggerParser.validate(structuredClone(response.json))).resolves.toBeDefined();
  });

  it('validator rejects a broken copy', async () => {
    const response = await apiRequest(port, 'GET', '/api/v1/openapi.json');
    const broken = structuredClone(response.json);
    broken.paths['/api/v1/invoices/{externalId}'].put.responses = { 200: { content: {} } };

    await expect(SwaggerParser.validate(broken)).rejects.toThrow();
  });

  it('document covers every resource', async () => {
    const response = await apiRequest(port, 'GET', '/api/v1/openapi.json');
    const paths = response.json.paths as Record<string, Record<string, unknown>>;

    for (const resource of RESOURCES) {
      expect({ resource: resource.path, list: Boolean(paths[`/api/v1/${resource.path}`]?.get) }).toEqual({ resource: resource.path, list: true });
      const item = paths[`/api/v1/${resource.path}/{externalId}`];
      expect({ resource: resource.path, put: Boolean(item?.put), get: Boolean(item?.get) }).toEqual({ resource: resource.path, put: true, get: true });
    }
  });

  it('documented body matches validation', async () => {
    const response = await apiRequest(port, 'GET', '/api/v1/openapi.json');
    const invoice = response.json.components.schemas.InvoiceInput;
    const line = response.json.components.schemas.InvoiceLine;

    expect(invoice.additionalProperties).toBe(false);
    expect(invoice.required).toEqual(expect.arrayContaining(['companyExternalId', 'number', 'issuedOn', 'currency', 'totalMinor']));
    expect(line.properties.unitPriceMinor).toMatchObject({ type: 'integer', minimum: 0 });
    expect(invoice.properties.number.maxLength).toBe(50);
  });

  it('docs page is server-rendered HTML without scripts', async () => {
    const response = await apiRequest(port, 'GET', '/api/v1/docs');

    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain('PUT /api/v1/invoices/{externalId}');
    expect(response.text).toContain('lines[].unitPriceMinor');
    expect(response.text).not.toMatch(/<script|style=|https?:\/\//i);
  });
});
