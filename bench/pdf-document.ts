import { Pool } from 'pg';

import '../libs/db/src/pg-types';
import { loadDocumentBrand } from '../apps/worker/src/documents/document-brand';
import { renderDocumentHtml } from '../apps/worker/src/documents/render-document';
import { loadConfig } from '../libs/config/src';
import { migrate } from '../libs/db/src/migrator';
import { executorFor } from '../libs/db/src/sql-executor';
import { beginStatement } from '../libs/db/src/tenant-database';
import { loadDocument } from '../libs/documents/src/document-data';
import { applyManifest } from '../libs/provisioning/src/apply-manifest';
import { validateManifest } from '../libs/provisioning/src/manifest-loader';
import type { PrintPage } from './pdf-render-child';

// A small SVG logo, so the letterhead carries an image as a branded tenant's does.
const LOGO = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="60" viewBox="0 0 240 60">
  <rect width="240" height="60" rx="8" fill="#7a1f1f"/>
  <circle cx="30" cy="30" r="16" fill="#f2a900"/>
  <text x="56" y="37" font-family="Helvetica, Arial, sans-serif" font-size="20" fill="#ffffff">Pdfbench Fire</text>
</svg>
`,
);

const SEVERITIES = ['critical', 'major', 'major', 'minor', 'minor', 'minor', 'advisory'] as const;
const LOCATIONS = ['Riser room, level B1', 'Fire pump room', 'Stairwell C, level 4', 'Parking garage, bay 12', 'Kitchen hood, level 2', 'Roof standpipe'];
const DESCRIPTIONS = [
  'Pressure gauge on the system riser reads zero with the control valve open; the gauge is likely defective.',
  'Two sprinkler heads are painted over and one is missing its escutcheon plate.',
  'Fire department connection cap is missing and the inlet contains debris.',
  'Main drain test showed a 22 psi drop from static pressure, above the 10 psi trend of earlier tests.',
  'Hydraulic placard is faded and the design density can no longer be read.',
  'Storage within 18 inches of the sprinkler deflectors along the east wall.',
];
const RECOMMENDATIONS = [
  'Replace the gauge and record the static and residual pressures.',
  'Replace the affected heads with listed heads of the same temperature rating.',
  'Install a new cap and flush the inlet before the next flow test.',
  'Investigate for a partially closed valve or an obstruction in the supply.',
  'Order a replacement placard from the original design calculations.',
  'Move the stored goods to keep the required clearance.',
];

/**
 * Provisions the bench tenant (idempotent) with one shared inspection report
 * of `findings` findings and four inspected assets, the size that prints on
 * three Letter pages with the current template.
 */
async function provision(pool: Pool, findings: number): Promise<{ tenantId: string; companyId: string; reportId: string }> {
  const site = 'pdfbench-site';
  const equipment = ['Fire pump', 'Jockey pump', 'Riser 1', 'Riser 2'].map((name, index) => ({
    external_id: `pdfbench-eq-${index}`,
    site,
    name,
    category: 'Fire protection',
    serial_number: `SN-${4410 + index}`,
    location: LOCATIONS[index],
    inspections: [{ inspected_on: 'today-3', result: index === 0 ? 'deficiencies' : 'pass', notes: 'Annual test', report: 'pdfbench-ir' }],
  }));
  const manifest = validateManifest({
    slug: 'pdfbench',
    name: 'Pdfbench Fire Protection',
    locale: 'en-US',
    time_zone: 'America/Chicago',
    currency: 'USD',
    branding: {
      company_name: 'Pdfbench Fire Protection',
      logo: 'logo.svg',
      primary_color: '#7a1f1f',
      accent_color: '#f2a900',
      support_email: 'service@pdfbench.example',
      support_phone: '+1 312 555 0142',
      address: '200 Bench Street, Chicago, IL 60601',
    },
    customer_companies: [
      {
        external_id: 'pdfbench-c1',
        name: 'Harbor View Condominiums',
        sites: [{ external_id: site, name: 'Harbor View Tower', address_line1: '9 Harbor Dr', city: 'Chicago', country: 'US' }],
        equipment,
        inspection_reports: [
          {
            external_id: 'pdfbench-ir',
            number: 'IR-2041',
            site,
            title: 'Annual sprinkler and standpipe inspection',
            inspection_type: 'NFPA 25 annual',
            inspected_on: 'today-3',
            inspector_name: 'Dana Whitfield',
            result: 'deficiencies',
            summary: 'The wet pipe system was inspected and tested. The deficiencies below need correction before the next quarterly visit.',
            shared: true,
            findings: Array.from({ length: findings }, (_, index) => ({
              severity: SEVERITIES[index % SEVERITIES.length],
              location: LOCATIONS[index % LOCATIONS.length],
              description: `${DESCRIPTIONS[index % DESCRIPTIONS.length]} (item ${index + 1})`,
              recommendation: RECOMMENDATIONS[index % RECOMMENDATIONS.length],
              code_reference: `NFPA 25 ${5 + (index % 4)}.2.${1 + (index % 6)}`,
            })),
          },
        ],
      },
    ],
  });
  const { tenantId } = await applyManifest(pool, { manifest, logo: { bytes: LOGO, contentType: 'image/svg+xml' } });
  const ids = await pool.query<{ company_id: string; report_id: string }>(
    `SELECT company_id, id AS report_id FROM inspection_reports WHERE tenant_id = $1 AND external_id = 'pdfbench-ir'`,
    [tenantId],
  );
  return { tenantId, companyId: ids.rows[0].company_id, reportId: ids.rows[0].report_id };
}

/**
 * Migrates the bench database, provisions the report and builds its page
 * with the worker's own loader, branding and template, read as the
 * company's customers read it.
 */
export async function preparePrintPage(
  databaseUrl: string,
  appDatabaseUrl: string,
  findings: number,
): Promise<{ page: PrintPage; findings: number }> {
  await migrate(databaseUrl);
  const admin = new Pool({ connectionString: databaseUrl, max: 1 });
  const app = new Pool({ connectionString: appDatabaseUrl, max: 1 });
  const client = await app.connect();
  try {
    const { tenantId, companyId, reportId } = await provision(admin, findings);
    await client.query(beginStatement('portal_customer', { tenantId, companyId }));
    const db = executorFor(client);
    const data = await loadDocument(db, 'inspection-report', reportId);
    const brand = await loadDocumentBrand(db, loadConfig());
    if (!data || !brand) throw new Error('the bench inspection report or its branding did not load; drop the bench database and run again');

    if (data.kind !== 'inspection-report') throw new Error(`the bench loaded a ${data.kind} instead of an inspection report`);

    const { html, format, headerTemplate, footerTemplate } = renderDocumentHtml('inspection-report', data, brand);
    return { page: { html, format, headerTemplate, footerTemplate }, findings: data.totals.findings };
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
    await Promise.all([admin.end(), app.end()]);
  }
}
