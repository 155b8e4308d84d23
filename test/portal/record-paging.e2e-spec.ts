import type { NestExpressApplication } from '@nestjs/platform-express';
import { Pool } from 'pg';

import { timestampCursorValue } from '../../libs/records/src/paging';
import { adminPool, provisionTestTenant, TEST_PASSWORD, TestTenant } from '../support/fixtures';
import { PortalClient, startPortal } from '../support/portal-harness';

interface ListPage {
  ids: string[];
  next: string | null;
  previous: string | null;
}

/** Reads the record ids and the pager links, with HTML entities in the links decoded. */
function parsePage(html: string, slug: string): ListPage {
  const ids = [...html.matchAll(new RegExp(`href="/${slug}/([0-9a-f-]{36})"`, 'g'))].map((match) => match[1]);
  const link = (rel: string) => {
    const href = new RegExp(`href="([^"]*)" rel="${rel}"`).exec(html)?.[1];
    return href ? `/${slug}${href.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=')}` : null;
  };
  return { ids, next: link('next'), previous: link('prev') };
}

/** Follows the next links from the first page to the last, stopping after 20 pages. */
async function walkForward(client: PortalClient, slug: string, firstPath: string): Promise<ListPage[]> {
  const pages: ListPage[] = [];
  let path: string | null = firstPath;
  while (path && pages.length < 20) {
    const response = await client.get(path);
    if (response.status !== 200) throw new Error(`GET ${path} returned ${response.status}`);
    const page = parsePage(response.body, slug);
    pages.push(page);
    path = page.next;
  }
  return pages;
}

describe('portal keyset paging', () => {
  let app: NestExpressApplication;
  let admin: Pool;
  let tenant: TestTenant;
  let client: PortalClient;
  let companyId: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'paging', 1);
    const key = tenant.companies[0].key;
    const site = await admin.query<{ company_id: string }>('SELECT company_id FROM sites WHERE external_id = $1', [
      `${key}-site`,
    ]);
    companyId = site.rows[0].company_id;

    // 70 work orders in groups of three with the same start, which carries
    // microseconds. Every fifth one is completed and every tenth one is not shared.
    await admin.query(
      `INSERT INTO work_orders (tenant_id, company_id, site_id, external_id, number, title, work_type, status,
         scheduled_start, shared_at)
       SELECT s.tenant_id, s.company_id, s.id, 'page-wo-' || g, 'PAGE-WO-' || g, 'Paged order ' || g, 'maintenance',
         CASE WHEN g % 5 = 0 THEN 'completed' ELSE 'scheduled' END,
         timestamptz '2026-03-01 08:00:00.123456+00' + (g / 3) * interval '1 day 0.000001 second',
         CASE WHEN g % 10 = 0 THEN NULL ELSE now() END
       FROM sites s CROSS JOIN generate_series(1, 70) g WHERE s.external_id = $1`,
      [`${key}-site`],
    );
    // 60 pieces of equipment in pairs with the same name.
    await admin.query(
      `INSERT INTO equipment (tenant_id, company_id, site_id, external_id, name, category, shared_at)
       SELECT s.tenant_id, s.company_id, s.id, 'page-eq-' || g, 'Valve ' || lpad((g / 2)::text, 2, '0'), 'Valve', now()
       FROM sites s CROSS JOIN generate_series(1, 60) g WHERE s.external_id = $1`,
      [`${key}-site`],
    );

    let port: number;
    ({ app, port } = await startPortal());
    client = new PortalClient(port, `${tenant.slug}.localhost`);
    expect((await client.login(tenant.companies[0].email, TEST_PASSWORD)).status).toBe(303);
  });

  afterAll(async () => {
    await app.close();
    await admin.end();
  });

  describe.each([
    { slug: 'work-orders', query: '', order: 'scheduled_start DESC, id DESC', table: 'work_orders', where: '' },
    {
      slug: 'work-orders',
      query: '?status=scheduled',
      order: 'scheduled_start DESC, id DESC',
      table: 'work_orders',
      where: "AND status = 'scheduled'",
    },
    { slug: 'equipment', query: '', order: 'name ASC, id ASC', table: 'equipment', where: '' },
  ])('$slug$query', ({ slug, query, order, table, where }) => {
    let pages: ListPage[];
    let walked: string[];
    let expected: string[];

    beforeAll(async () => {
      pages = await walkForward(client, slug, `/${slug}${query}`);
      walked = pages.flatMap((page) => page.ids);
      const rows = await admin.query<{ id: string }>(
        `SELECT id FROM ${table} WHERE company_id = $1 AND shared_at IS NOT NULL ${where} ORDER BY ${order}`,
        [companyId],
      );
      expected = rows.rows.map((row) => row.id);
    });

    it('spans more than two pages', () => {
      expect(pages.length).toBeGreaterThan(2);
    });

    it('repeats no row', () => {
      expect(new Set(walked).size).toBe(walked.length);
    });

    it('returns every shared row', () => {
      expect(walked.length).toBe(expected.length);
    });

    it('keeps the list order', () => {
      expect(walked).toEqual(expected);
    });

    it('ends without a next link', () => {
      expect(pages[pages.length - 1].next).toBeNull();
    });

    it('starts without a previous link', () => {
      expect(pages[0].previous).toBeNull();
    });

    it('keeps the filter in the next link', () => {
      expect(pages[0].next).toContain(query ? `${query}&after=` : '?after=');
    });

    it('walks back one page', async () => {
      const last = pages[pages.length - 1];
      const response = await client.get(last.previous!);
      expect(parsePage(response.body, slug).ids).toEqual(pages[pages.length - 2].ids);
    });

    it('walks back to the first page', async () => {
      const second = pages[1];
      const response = await client.get(second.previous!);
      expect(parsePage(response.body, slug).previous).toBeNull();
    });
  });
});

describe('timestampCursorValue', () => {
  it.each([
    ['2026-03-15 08:00:00.12347+00', '2026-03-15T08:00:00.12347Z'],
    ['2026-03-15 08:00:00+00', '2026-03-15T08:00:00Z'],
    ['2026-03-15 02:00:00-06', '2026-03-15T08:00:00Z'],
    ['2026-03-15 13:45:00.000001+05:45', '2026-03-15T08:00:00.000001Z'],
    ['2026-01-01 00:30:00+01', '2025-12-31T23:30:00Z'],
    ['1883-11-18 11:00:00-05:50:36', '1883-11-18T16:50:36Z'],
  ])('converts %s', (text, iso) => {
    expect(timestampCursorValue(text)).toBe(iso);
  });

  it('converts a Date', () => {
    expect(timestampCursorValue(new Date('2026-03-15T08:00:00.123Z'))).toBe('2026-03-15T08:00:00.123Z');
  });

  it('rejects other text', () => {
    expect(() => timestampCursorValue('infinity')).toThrow('infinity');
  });
});
