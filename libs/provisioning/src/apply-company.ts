import { applyContractsAndProposals, applyInvoices } from './apply-billing';
import { ProvisioningContext, setPasswordIfChanged } from './apply-manifest';
import { CompanyManifest } from './manifest.schema';
import { applyDetails, CompanyIds, lookup, upsertRecord } from './record-upserts';
import { upsert } from './upsert';

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
