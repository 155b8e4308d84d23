import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { parse } from 'yaml';

import { CompanyManifest, manifestSchema, TenantManifest } from './manifest.schema';

export class ManifestError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ManifestError';
  }
}

export interface LoadedManifest {
  manifest: TenantManifest;
  logo: { bytes: Buffer; contentType: string } | null;
}

const LOGO_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
};
const MAX_LOGO_BYTES = 512 * 1024;

/** Reads tenants/<slug>/tenant.yaml and its logo, and validates both. */
export async function loadManifestFolder(folder: string): Promise<LoadedManifest> {
  const source = join(folder, 'tenant.yaml');
  const raw = parse(await readFile(source, 'utf8'), { prettyErrors: true }) as unknown;
  const manifest = validateManifest(raw, source);

  if (manifest.slug !== basename(folder)) {
    throw new ManifestError(source, [`slug "${manifest.slug}" must match the folder name "${basename(folder)}"`]);
  }

  let logo: LoadedManifest['logo'] = null;
  if (manifest.branding.logo) {
    const bytes = await readFile(join(folder, manifest.branding.logo));
    if (bytes.length > MAX_LOGO_BYTES) {
      throw new ManifestError(source, [`branding.logo is ${bytes.length} bytes; the limit is ${MAX_LOGO_BYTES}`]);
    }
    logo = { bytes, contentType: LOGO_TYPES[extname(manifest.branding.logo).toLowerCase()] };
  }
  return { manifest, logo };
}

/** Validates a parsed manifest: field formats first, then cross-references. */
export function validateManifest(raw: unknown, source = 'manifest'): TenantManifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ManifestError(source, problems);
  }
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new ManifestError(source, problems);
  return parsed.data;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) repeated.add(value);
    seen.add(value);
  }
  return [...repeated];
}

/** Record kinds a company manifest lists, each under its own key. */
export const MANIFEST_RECORD_KINDS = [
  'equipment',
  'inspection_reports',
  'invoices',
  'compliance_requirements',
  'compliance_documents',
  'contracts',
  'proposals',
  'work_orders',
  'warranties',
  'service_requests',
] as const;

/** Every reference must name a row of the same company, and keys must be unique per tenant. */
function crossReferenceProblems(manifest: TenantManifest): string[] {
  const problems: string[] = [];
  const companies = manifest.customer_companies;

  const unique = (label: string, values: string[]) => {
    for (const value of duplicates(values)) problems.push(`${label} "${value}" appears more than once`);
  };
  unique('customer company external_id', companies.map((company) => company.external_id));
  unique('site external_id', companies.flatMap((company) => company.sites.map((site) => site.external_id)));
  unique('portal user email', companies.flatMap((company) => company.portal_users.map((user) => user.email)));
  unique('staff user email', manifest.staff_users.map((user) => user.email));
  unique('domain', manifest.domains.map((domain) => domain.hostname));
  if (manifest.domains.filter((domain) => domain.primary).length > 1) problems.push('domains: only one may be primary');

  for (const kind of MANIFEST_RECORD_KINDS) {
    const records = companies.flatMap((company) => company[kind] as Array<{ external_id: string; number?: string }>);
    unique(`${kind} external_id`, records.map((record) => record.external_id));
    unique(`${kind} number`, records.flatMap((record) => (record.number ? [record.number] : [])));
  }

  companies.forEach((company, index) => problems.push(...companyProblems(company, `customer_companies.${index}`)));
  return problems;
}

function companyProblems(company: CompanyManifest, path: string): string[] {
  const problems: string[] = [];
  const sites = new Set(company.sites.map((site) => site.external_id));
  const equipment = new Set(company.equipment.map((item) => item.external_id));
  const reports = new Set(company.inspection_reports.map((report) => report.external_id));
  const requirements = new Set(company.compliance_requirements.map((item) => item.external_id));
  const users = new Set(company.portal_users.map((user) => user.email));

  const check = (set: Set<string>, value: string | null | undefined, where: string, what: string) => {
    if (value && !set.has(value)) problems.push(`${path}.${where}: ${what} "${value}" is not defined in this company`);
  };

  company.equipment.forEach((item, i) => {
    check(sites, item.site, `equipment.${i}.site`, 'site');
    item.inspections.forEach((entry, j) => check(reports, entry.report, `equipment.${i}.inspections.${j}.report`, 'report'));
  });
  company.inspection_reports.forEach((report, i) => {
    check(sites, report.site, `inspection_reports.${i}.site`, 'site');
    report.findings.forEach((finding, j) =>
      check(equipment, finding.equipment, `inspection_reports.${i}.findings.${j}.equipment`, 'equipment'),
    );
  });
  company.invoices.forEach((invoice, i) => check(sites, invoice.site, `invoices.${i}.site`, 'site'));
  company.compliance_requirements.forEach((item, i) => check(sites, item.site, `compliance_requirements.${i}.site`, 'site'));
  company.compliance_documents.forEach((item, i) => {
    check(sites, item.site, `compliance_documents.${i}.site`, 'site');
    check(requirements, item.requirement, `compliance_documents.${i}.requirement`, 'requirement');
  });
  company.contracts.forEach((item, i) => check(sites, item.site, `contracts.${i}.site`, 'site'));
  company.proposals.forEach((item, i) => check(sites, item.site, `proposals.${i}.site`, 'site'));
  company.work_orders.forEach((item, i) => {
    check(sites, item.site, `work_orders.${i}.site`, 'site');
    check(equipment, item.equipment, `work_orders.${i}.equipment`, 'equipment');
  });
  company.warranties.forEach((item, i) =>
    item.equipment.forEach((id, j) => check(equipment, id, `warranties.${i}.equipment.${j}`, 'equipment')),
  );
  company.service_requests.forEach((item, i) => {
    check(sites, item.site, `service_requests.${i}.site`, 'site');
    check(equipment, item.equipment, `service_requests.${i}.equipment`, 'equipment');
    check(users, item.portal_user, `service_requests.${i}.portal_user`, 'portal user');
    // The database also rejects equipment of another site; this check names the entry.
    const site = item.equipment ? company.equipment.find((candidate) => candidate.external_id === item.equipment)?.site : undefined;
    if (site && site !== item.site) {
      problems.push(`${path}.service_requests.${i}.equipment: equipment "${item.equipment}" is at site "${site}", not "${item.site}"`);
    }
  });
  return problems;
}
