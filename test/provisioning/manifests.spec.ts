import { Pool } from 'pg';

import { applyManifest } from '../../libs/provisioning/src/apply-manifest';
import { demoTenantFolders } from '../../libs/provisioning/src/cli';
import {
  loadManifestFolder,
  MANIFEST_RECORD_KINDS,
  ManifestError,
  validateManifest,
} from '../../libs/provisioning/src/manifest-loader';
import { adminPool, companyManifest } from '../support/fixtures';


describe('demo tenant manifests', () => {
  let admin: Pool;

  beforeAll(() => {
    admin = adminPool();
  });

  afterAll(() => admin.end());

  it('include at least three tenants', async () => {
    expect((await demoTenantFolders()).length).toBeGreaterThanOrEqual(3);
  });

  it('give every tenant several companies and dozens of each record', async () => {
    for (const folder of await demoTenantFolders()) {
      const { manifest, logo } = await loadManifestFolder(folder);
      expect({ slug: manifest.slug, logo: logo !== null }).toEqual({ slug: manifest.slug, logo: true });
      expect({ slug: manifest.slug, companies: manifest.customer_companies.length >= 3 }).toEqual({
        slug: manifest.slug,
        companies: true,
      });
      for (const kind of MANIFEST_RECORD_KINDS) {
        const records = manifest.customer_companies.flatMap((company) => company[kind] as Array<{ shared: boolean }>);
        expect({ slug: manifest.slug, kind, enough: records.length >= 24 }).toEqual({ slug: manifest.slug, kind, enough: true });
        expect({ slug: manifest.slug, kind, unshared: records.some((record) => !record.shared) }).toEqual({
          slug: manifest.slug,
          kind,
          unshared: true,
        });
      }
    }
  });

  it('apply, and a second apply writes nothing', async () => {
    for (const folder of await demoTenantFolders()) {
      const loaded = await loadManifestFolder(folder);
      const first = await applyManifest(admin, loaded);
      const second = await applyManifest(admin, loaded);
      // Another suite may have applied the same manifest already, so count both.
      expect({ slug: first.slug, rows: first.written + first.unchanged > 500 }).toEqual({ slug: first.slug, rows: true });
      expect({ slug: second.slug, written: second.written, removed: second.removed }).toEqual({
        slug: second.slug,
        written: 0,
        removed: 0,
      });
    }
  });
});

describe('manifest validation', () => {
  const base = {
    slug: 'validation-check',
    name: 'Validation',
    locale: 'en-US',
    time_zone: 'America/Chicago',
    currency: 'USD',
    branding: { company_name: 'Validation', primary_color: '#123456', accent_color: '#abcdef' },
  };

  function problems(raw: unknown): string[] {
    try {
      validateManifest(raw);
      return [];
    } catch (error) {
      if (error instanceof ManifestError) return error.problems;
      throw error;
    }
  }

  it('accepts a complete manifest', () => {
    expect(problems({ ...base, customer_companies: [companyManifest('c1', 'a@c1.example')] })).toEqual([]);
  });

  it('rejects a reference to another company', () => {
    const first = companyManifest('c1', 'a@c1.example');
    const second = companyManifest('c2', 'b@c2.example');
    second.work_orders[0].site = 'c1-site';
    const found = problems({ ...base, customer_companies: [first, second] });
    expect(found).toContain('customer_companies.1.work_orders.0.site: site "c1-site" is not defined in this company');
  });

  it('rejects request equipment of another site', () => {
    const company = companyManifest('c1', 'a@c1.example');
    company.sites.push({ external_id: 'c1-annex', name: 'Annex', address_line1: '2 Side St', city: 'Springfield', country: 'US' });
    Object.assign(company.service_requests[0], { site: 'c1-annex', equipment: 'c1-eq-s' });
    const found = problems({ ...base, customer_companies: [company] });
    expect(found).toContain('customer_companies.0.service_requests.0.equipment: equipment "c1-eq-s" is at site "c1-site", not "c1-annex"');
  });

  it('rejects unknown fields and bad values with their paths', () => {
    const found = problems({ ...base, colour: 'red', time_zone: 'Mars/Olympus', branding: { ...base.branding, primary_color: 'red' } });
    expect(found.some((problem) => problem.includes('colour'))).toBe(true);
    expect(found.some((problem) => problem.startsWith('time_zone:'))).toBe(true);
    expect(found.some((problem) => problem.startsWith('branding.primary_color:'))).toBe(true);
  });

  it('rejects impossible dates', () => {
    const company = companyManifest('c1', 'a@c1.example');
    (company.invoices[0] as { due_on: string }).due_on = '2026-02-30';
    const found = problems({ ...base, customer_companies: [company] });
    expect(found.some((problem) => problem.startsWith('customer_companies.0.invoices.0.due_on:'))).toBe(true);
  });

  it('rejects duplicate external ids', () => {
    const found = problems({
      ...base,
      customer_companies: [companyManifest('c1', 'a@c1.example'), companyManifest('c1', 'b@c1.example')],
    });
    expect(found).toContain('customer company external_id "c1" appears more than once');
  });
});
