import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';

import '../../libs/db/src/pg-types';
import { applyManifest, ApplyResult } from '../../libs/provisioning/src/apply-manifest';
import { validateManifest } from '../../libs/provisioning/src/manifest-loader';

export const TEST_PASSWORD = 'correct-horse-test';

/** Opens a pool as the migrating user, as the provisioning command does. */
export function adminPool(): Pool {
  return new Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
}

/** Opens a pool as portal_app, the role the apps connect with. */
export function appPool(): Pool {
  const url = new URL(process.env.DATABASE_URL!);
  url.username = 'portal_app';
  url.password = '';
  return new Pool({ connectionString: url.toString(), max: 8 });
}

export function uniqueSlug(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * Builds one company with one shared and one unshared record of every kind, each
 * with detail rows. `key` keeps external ids and numbers distinct.
 */
export function companyManifest(key: string, userEmail: string) {
  const site = `${key}-site`;
  const record = (kind: string, shared: boolean) => ({ external_id: `${key}-${kind}-${shared ? 's' : 'u'}`, shared });
  const both = <T>(build: (shared: boolean) => T): T[] => [build(true), build(false)];

  return {
    external_id: key,
    name: `Company ${key}`,
    sites: [{ external_id: site, name: `Site ${key}`, address_line1: '1 Main St', city: 'Springfield', country: 'US' }],
    portal_users: [{ email: userEmail, name: `User ${key}`, password: TEST_PASSWORD, status: 'active' }],
    equipment: both((shared) => ({
      ...record('eq', shared),
      site,
      name: `Pump ${key}`,
      category: 'Fire pump',
      inspections: [{ inspected_on: 'today-10', result: 'pass', report: `${key}-ir-${shared ? 's' : 'u'}` }],
    })),
    inspection_reports: both((shared) => ({
      ...record('ir', shared),
      number: `${key}-IR-${shared ? 1 : 2}`,
      site,
      title: `Annual inspection ${key}`,
      inspection_type: 'NFPA 25 annual',
      inspected_on: 'today-10',
      inspector_name: 'Inspector',
      result: 'deficiencies',
      findings: [{ severity: 'major', location: 'Riser room', description: `Gauge reads zero (${key})` }],
    })),
    invoices: both((shared) => ({
      ...record('inv', shared),
      number: `${key}-INV-${shared ? 1 : 2}`,
      issued_on: 'today-40',
      due_on: 'today-10',
      tax_rate: '10',
      lines: [{ description: 'Service', quantity: '2', unit_price: '100.00' }],
      payments: [{ paid_on: 'today-5', amount: '50.00', method: 'check' }],
    })),
    compliance_requirements: both((shared) => ({
      ...record('cr', shared),
      site,
      title: `Annual test ${key}`,
      frequency: 'annual',
      due_on: 'today-3',
    })),
    compliance_documents: both((shared) => ({
      ...record('cd', shared),
      title: `Certificate ${key}`,
      document_type: 'certificate',
      issued_on: 'today-30',
      requirement: `${key}-cr-${shared ? 's' : 'u'}`,
    })),
    contracts: both((shared) => ({
      ...record('ct', shared),
      number: `${key}-CT-${shared ? 1 : 2}`,
      title: `Service agreement ${key}`,
      starts_on: 'today-100',
      ends_on: 'today+265',
      term_months: 12,
      value: '1200.00',
      billing_frequency: 'monthly',
      status: 'active',
    })),
    proposals: both((shared) => ({
      ...record('pr', shared),
      number: `${key}-PR-${shared ? 1 : 2}`,
      title: `Replace gauges ${key}`,
      issued_on: 'today-2',
      valid_until: 'today+28',
      lines: [
        { description: 'Gauge', quantity: '3', unit_price: '25.00' },
        { description: 'Spare gauge', quantity: '1', unit_price: '25.00', optional: true },
      ],
    })),
    work_orders: both((shared) => ({
      ...record('wo', shared),
      number: `${key}-WO-${shared ? 1 : 2}`,
      site,
      title: `Replace gauges ${key}`,
      work_type: 'repair',
      status: 'scheduled',
      scheduled_start: 'today+3 09:00',
    })),
    warranties: both((shared) => ({
      ...record('wr', shared),
      provider: 'Pump Co',
      policy_number: `${key}-W-${shared ? 1 : 2}`,
      warranty_type: 'manufacturer',
      starts_on: 'today-300',
      expires_on: 'today+65',
      equipment: [`${key}-eq-${shared ? 's' : 'u'}`],
    })),
    service_requests: both((shared) => ({
      ...record('sr', shared),
      number: `${key}-SR-${shared ? 1 : 2}`,
      site,
      category: 'Leak',
      urgency: 'high',
      description: `Water on the floor (${key})`,
      submitted_at: 'today-1 10:00',
    })),
  };
}

export interface TestTenant extends ApplyResult {
  companies: Array<{ key: string; email: string }>;
}

/** Provisions a fresh tenant with two companies through the real provisioning path. */
export async function provisionTestTenant(pool: Pool, prefix = 't', companyCount = 2): Promise<TestTenant> {
  const slug = uniqueSlug(prefix);
  const companies = Array.from({ length: companyCount }, (_, index) => {
    const key = `${slug}-c${index + 1}`;
    return { key, email: `user-${index + 1}@${slug}.example` };
  });
  const manifest = validateManifest({
    slug,
    name: `Tenant ${slug}`,
    locale: 'en-US',
    time_zone: 'America/Chicago',
    currency: 'USD',
    branding: { company_name: `Brand ${slug}`, primary_color: '#123456', accent_color: '#abcdef' },
    domains: [{ hostname: `portal.${slug}.test`, verified: true, primary: true }],
    staff_users: [{ email: `owner@${slug}.example`, name: 'Owner', role: 'owner', password: TEST_PASSWORD }],
    customer_companies: companies.map(({ key, email }) => companyManifest(key, email)),
  });
  const result = await applyManifest(pool, { manifest, logo: null });
  return { ...result, companies };
}
