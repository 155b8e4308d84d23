import { parseMajorUnits, percentOf } from '../../locale/src';
import { ProvisioningContext, setPasswordIfChanged } from './apply-manifest';
import { CompanyManifest } from './manifest.schema';
import { removeExtraDetails, stableId, upsert } from './upsert';

/** External ids of a company's rows mapped to their database ids. */
interface CompanyIds {
  companyId: string;
  sites: Map<string, string>;
  equipment: Map<string, string>;
  reports: Map<string, string>;
  requirements: Map<string, string>;
  users: Map<string, string>;
  usersByName: Map<string, string>;
}

/** Applies one customer company with its sites, portal users and records. */
export async function applyCompany(context: ProvisioningContext, company: CompanyManifest): Promise<void> {
  const { client, tenantId, counter } = context;
  const companyId = await upsert(
    client,
    {
      table: 'customer_companies',
      conflict: ['tenant_id', 'external_id'],
      values: {
        tenant_id: tenantId,
        external_id: company.external_id,
        name: company.name,
        account_number: company.account_number ?? null,
        billing_email: company.billing_email ?? null,
        phone: company.phone ?? null,
        address: company.address ?? null,
      },
    },
    counter,
  );

  const ids: CompanyIds = {
    companyId,
    sites: new Map(),
    equipment: new Map(),
    reports: new Map(),
    requirements: new Map(),
    users: new Map(),
    usersByName: new Map(),
  };

  for (const site of company.sites) {
    const { external_id, ...fields } = site;
    ids.sites.set(
      external_id,
      await upsert(
        client,
        {
          table: 'sites',
          conflict: ['tenant_id', 'external_id'],
          values: {
            tenant_id: tenantId,
            company_id: companyId,
            external_id,
            ...fields,
            address_line2: fields.address_line2 ?? null,
            region: fields.region ?? null,
            postal_code: fields.postal_code ?? null,
          },
        },
        counter,
      ),
    );
  }

  for (const user of company.portal_users) {
    const userId = await upsert(
      client,
      {
        table: 'portal_users',
        conflict: ['tenant_id', 'email'],
        values: {
          tenant_id: tenantId,
          company_id: companyId,
          email: user.email,
          name: user.name ?? null,
          status: user.status,
          invited_at: context.dates.instant('today 09:00'),
        },
        keepWhenSet: ['invited_at'],
      },
      counter,
    );
    ids.users.set(user.email, userId);
    if (user.name) ids.usersByName.set(user.name, userId);
    if (user.password && user.status !== 'invited') {
      await setPasswordIfChanged(context, 'portal_users', userId, user.password);
    }
  }

  await applyEquipment(context, company, ids);
  await applyInspectionReports(context, company, ids);
  await applyEquipmentHistory(context, company, ids);
  await applyInvoices(context, company, ids);
  await applyCompliance(context, company, ids);
  await applyContractsAndProposals(context, company, ids);
  await applyWorkOrders(context, company, ids);
  await applyWarranties(context, company, ids);
  await applyServiceRequests(context, company, ids);
}

/** Upserts a record by external id; shared_at keeps its first value across applies. */
function upsertRecord(
  context: ProvisioningContext,
  table: string,
  ids: CompanyIds,
  record: { external_id: string; shared: boolean },
  values: Record<string, unknown>,
): Promise<string> {
  return upsert(
    context.client,
    {
      table,
      conflict: ['tenant_id', 'external_id'],
      values: {
        tenant_id: context.tenantId,
        company_id: ids.companyId,
        external_id: record.external_id,
        shared_at: record.shared ? new Date() : null,
        ...values,
      },
      keepWhenSet: ['shared_at'],
    },
    context.counter,
  );
}

/** Upserts a parent's detail rows with stable ids and removes rows no longer listed. */
async function applyDetails(
  context: ProvisioningContext,
  table: string,
  parentColumn: string,
  parentId: string,
  ids: CompanyIds,
  rows: Array<Record<string, unknown>>,
): Promise<void> {
  const kept: string[] = [];
  for (const [position, row] of rows.entries()) {
    const id = stableId(context.tenantId, table, parentId, String(position));
    kept.push(id);
    await upsert(
      context.client,
      {
        table,
        conflict: ['tenant_id', 'id'],
        values: { tenant_id: context.tenantId, company_id: ids.companyId, id, position, [parentColumn]: parentId, ...row },
      },
      context.counter,
    );
  }
  await removeExtraDetails(context.client, table, parentColumn, parentId, kept, context.counter);
}

function lookup(map: Map<string, string>, key: string | null | undefined): string | null {
  return key ? (map.get(key) ?? null) : null;
}

async function applyEquipment(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  for (const item of company.equipment) {
    const id = await upsertRecord(context, 'equipment', ids, item, {
      site_id: lookup(ids.sites, item.site),
      name: item.name,
      category: item.category,
      manufacturer: item.manufacturer ?? null,
      model: item.model ?? null,
      serial_number: item.serial_number ?? null,
      location: item.location ?? null,
      installed_on: context.dates.date(item.installed_on),
      status: item.status,
    });
    ids.equipment.set(item.external_id, id);
  }
}

async function applyInspectionReports(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  for (const report of company.inspection_reports) {
    const id = await upsertRecord(context, 'inspection_reports', ids, report, {
      site_id: lookup(ids.sites, report.site),
      number: report.number,
      title: report.title,
      inspection_type: report.inspection_type,
      inspected_on: context.dates.date(report.inspected_on),
      inspector_name: report.inspector_name,
      result: report.result,
      summary: report.summary ?? null,
    });
    ids.reports.set(report.external_id, id);
    await applyDetails(
      context,
      'inspection_findings',
      'report_id',
      id,
      ids,
      report.findings.map((finding) => ({
        equipment_id: lookup(ids.equipment, finding.equipment),
        severity: finding.severity,
        status: finding.status,
        is_deficiency: finding.deficiency,
        location: finding.location,
        description: finding.description,
        recommendation: finding.recommendation ?? null,
        code_reference: finding.code_reference ?? null,
      })),
    );
  }
}

async function applyEquipmentHistory(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  for (const item of company.equipment) {
    const equipmentId = ids.equipment.get(item.external_id)!;
    await applyDetails(
      context,
      'equipment_inspections',
      'equipment_id',
      equipmentId,
      ids,
      item.inspections.map((entry) => ({
        report_id: lookup(ids.reports, entry.report),
        inspected_on: context.dates.date(entry.inspected_on),
        result: entry.result,
        notes: entry.notes ?? null,
      })),
    );
  }
}

/** Line amounts, subtotal, tax and total in minor units, computed so they always add up. */
function priceLines<Line extends { quantity: string; unit_price: string; optional?: boolean }>(
  lines: Line[],
  currency: string,
  taxRate: string | null | undefined,
) {
  const priced = lines.map((line) => {
    const unit = parseMajorUnits(line.unit_price, currency);
    const [whole, fraction = ''] = line.quantity.split('.');
    const scale = 10n ** BigInt(fraction.length);
    const scaled = unit * BigInt(whole + fraction);
    const amount = scaled / scale + ((scaled % scale) * 2n >= scale ? 1n : 0n);
    return { ...line, unit, amount };
  });
  const subtotal = priced.filter((line) => !line.optional).reduce((sum, line) => sum + line.amount, 0n);
  const tax = taxRate ? percentOf(subtotal, taxRate) : 0n;
  return { priced, subtotal, tax, total: subtotal + tax };
}

async function applyInvoices(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  for (const invoice of company.invoices) {
    const currency = invoice.currency ?? context.manifest.currency;
    const { priced, subtotal, tax, total } = priceLines(invoice.lines, currency, invoice.tax_rate);
    const payments = invoice.payments.map((payment) => ({ ...payment, minor: parseMajorUnits(payment.amount, currency) }));
    const paid = payments.reduce((sum, payment) => sum + payment.minor, 0n);
    if (paid > total) {
      throw new Error(`invoice ${invoice.external_id}: payments of ${paid} exceed the total of ${total} minor units`);
    }

    let status = paid >= total ? 'paid' : 'open';
    if (invoice.void) status = 'void';

    const id = await upsertRecord(context, 'invoices', ids, invoice, {
      site_id: lookup(ids.sites, invoice.site),
      number: invoice.number,
      issued_on: context.dates.date(invoice.issued_on),
      due_on: context.dates.date(invoice.due_on),
      currency,
      subtotal_minor: subtotal.toString(),
      tax_minor: tax.toString(),
      total_minor: total.toString(),
      amount_paid_minor: paid.toString(),
      status,
      notes: invoice.notes ?? null,
    });
    await applyDetails(
      context,
      'invoice_lines',
      'invoice_id',
      id,
      ids,
      priced.map((line) => ({
        description: line.description,
        quantity: line.quantity,
        unit_price_minor: line.unit.toString(),
        amount_minor: line.amount.toString(),
      })),
    );
    await applyDetails(
      context,
      'invoice_payments',
      'invoice_id',
      id,
      ids,
      payments.map((payment) => ({
        paid_on: context.dates.date(payment.paid_on),
        amount_minor: payment.minor.toString(),
        method: payment.method,
        reference: payment.reference ?? null,
      })),
    );
  }
}

async function applyCompliance(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  const { dates } = context;
  for (const item of company.compliance_requirements) {
    const id = await upsertRecord(context, 'compliance_requirements', ids, item, {
      site_id: lookup(ids.sites, item.site),
      title: item.title,
      code_reference: item.code_reference ?? null,
      authority: item.authority ?? null,
      frequency: item.frequency,
      last_completed_on: dates.date(item.last_completed_on),
      due_on: dates.date(item.due_on),
      completed_on: dates.date(item.completed_on),
      notes: item.notes ?? null,
    });
    ids.requirements.set(item.external_id, id);
  }
  for (const document of company.compliance_documents) {
    await upsertRecord(context, 'compliance_documents', ids, document, {
      site_id: lookup(ids.sites, document.site),
      requirement_id: lookup(ids.requirements, document.requirement),
      title: document.title,
      document_type: document.document_type,
      issuer: document.issuer ?? null,
      issued_on: dates.date(document.issued_on),
      expires_on: dates.date(document.expires_on),
    });
  }
}

async function applyContractsAndProposals(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  const { dates } = context;
  for (const contract of company.contracts) {
    const currency = contract.currency ?? context.manifest.currency;
    await upsertRecord(context, 'contracts', ids, contract, {
      site_id: lookup(ids.sites, contract.site),
      number: contract.number,
      title: contract.title,
      starts_on: dates.date(contract.starts_on),
      ends_on: dates.date(contract.ends_on),
      term_months: contract.term_months,
      value_minor: parseMajorUnits(contract.value, currency).toString(),
      currency,
      billing_frequency: contract.billing_frequency,
      status: contract.status,
      auto_renew: contract.auto_renew,
      scope: contract.scope ?? null,
    });
  }

  for (const proposal of company.proposals) {
    const currency = proposal.currency ?? context.manifest.currency;
    const { priced, subtotal, tax, total } = priceLines(proposal.lines, currency, proposal.tax_rate);
    const response = proposal.status === 'accepted' || proposal.status === 'declined' ? proposal.response : null;
    const id = await upsertRecord(context, 'proposals', ids, proposal, {
      site_id: lookup(ids.sites, proposal.site),
      number: proposal.number,
      title: proposal.title,
      summary: proposal.summary ?? null,
      issued_on: dates.date(proposal.issued_on),
      valid_until: dates.date(proposal.valid_until),
      status: proposal.status,
      currency,
      subtotal_minor: subtotal.toString(),
      tax_minor: tax.toString(),
      total_minor: total.toString(),
      terms: proposal.terms ?? null,
      responded_at: response ? dates.instant(`${response.responded_on} 10:00`) : null,
      responded_by_user_id: response ? lookup(ids.usersByName, response.name) : null,
      response_name: response?.name ?? null,
      response_reason: response?.reason ?? null,
    });
    await applyDetails(
      context,
      'proposal_lines',
      'proposal_id',
      id,
      ids,
      priced.map((line) => ({
        description: line.description,
        quantity: line.quantity,
        unit_price_minor: line.unit.toString(),
        amount_minor: line.amount.toString(),
        is_optional: line.optional ?? false,
      })),
    );
  }
}

async function applyWorkOrders(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  const { dates } = context;
  for (const order of company.work_orders) {
    await upsertRecord(context, 'work_orders', ids, order, {
      site_id: lookup(ids.sites, order.site),
      equipment_id: lookup(ids.equipment, order.equipment),
      number: order.number,
      title: order.title,
      work_type: order.work_type,
      priority: order.priority,
      status: order.status,
      scheduled_start: dates.instant(order.scheduled_start),
      scheduled_end: dates.instant(order.scheduled_end),
      completed_at: dates.instant(order.completed_at),
      technician_name: order.technician_name ?? null,
      service_details: order.service_details ?? null,
      technician_notes: order.technician_notes ?? null,
    });
  }
}

async function applyWarranties(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  for (const warranty of company.warranties) {
    const id = await upsertRecord(context, 'warranties', ids, warranty, {
      provider: warranty.provider,
      policy_number: warranty.policy_number,
      warranty_type: warranty.warranty_type,
      coverage: warranty.coverage ?? null,
      starts_on: context.dates.date(warranty.starts_on),
      expires_on: context.dates.date(warranty.expires_on),
    });
    await applyDetails(
      context,
      'warranty_equipment',
      'warranty_id',
      id,
      ids,
      warranty.equipment.map((externalId) => ({ equipment_id: lookup(ids.equipment, externalId) })),
    );
  }
}

async function applyServiceRequests(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  for (const request of company.service_requests) {
    const submittedAt = context.dates.instant(request.submitted_at);
    await upsertRecord(context, 'service_requests', ids, request, {
      site_id: lookup(ids.sites, request.site),
      equipment_id: lookup(ids.equipment, request.equipment),
      portal_user_id: lookup(ids.users, request.portal_user),
      number: request.number,
      category: request.category,
      urgency: request.urgency,
      description: request.description,
      preferred_dates: request.preferred_dates ?? null,
      status: request.status,
      created_at: submittedAt,
    });
  }
}
