import type { SqlExecutor } from '../../../db/src/sql-executor';
import { SEVERITIES } from '../../../records/src/kinds/inspection-reports.kind';
import type { FindingEntry, InspectedEquipment, InspectionReportData, Severity } from '../document-types';
import { loadCompany, LoadContext, SITE_COLUMNS, SiteColumns, siteFrom } from './loader-support';

interface ReportRow extends SiteColumns {
  company_id: string;
  number: string;
  title: string;
  inspection_type: string;
  inspected_on: string;
  inspector_name: string;
  result: InspectionReportData['result'];
  summary: string | null;
}

interface FindingRow {
  severity: Severity;
  status: string;
  is_deficiency: boolean;
  location: string;
  description: string;
  recommendation: string | null;
  code_reference: string | null;
  equipment_name: string | null;
}

interface EquipmentRow {
  name: string;
  category: string;
  serial_number: string | null;
  location: string | null;
  result: InspectedEquipment['result'];
  notes: string | null;
}

/**
 * Loads a shared inspection report with its findings, grouped by severity
 * from critical down, and the equipment inspected with each result.
 * Equipment that is not shared with the customer is left out, as the portal
 * leaves it out.
 */
export async function loadInspectionReport(
  db: SqlExecutor,
  id: string,
  context: LoadContext,
): Promise<InspectionReportData | null> {
  const [report] = await db.execute<ReportRow[]>(
    `SELECT r.company_id, r.number, r.title, r.inspection_type, r.inspected_on, r.inspector_name, r.result,
        r.summary, ${SITE_COLUMNS}
     FROM inspection_reports r
     JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
     WHERE r.id = ? AND r.shared_at IS NOT NULL`,
    [id],
  );
  if (!report) return null;
  const company = await loadCompany(db, report.company_id);
  if (!company) return null;

  const findings = await db.execute<FindingRow[]>(
    `SELECT f.severity, f.status, f.is_deficiency, f.location, f.description, f.recommendation, f.code_reference,
        e.name AS equipment_name
     FROM inspection_findings f
     LEFT JOIN equipment e ON e.tenant_id = f.tenant_id AND e.id = f.equipment_id AND e.shared_at IS NOT NULL
     WHERE f.report_id = ?
     ORDER BY f.position, f.id`,
    [id],
  );
  const equipment = await db.execute<EquipmentRow[]>(
    `SELECT e.name, e.category, e.serial_number, e.location, i.result, i.notes
     FROM equipment_inspections i
     JOIN equipment e ON e.tenant_id = i.tenant_id AND e.id = i.equipment_id
     WHERE i.report_id = ? AND e.shared_at IS NOT NULL
     ORDER BY e.name, e.id, i.position, i.id`,
    [id],
  );

  return {
    kind: 'inspection-report',
    locale: context.locale,
    timeZone: context.timeZone,
    documentNumber: report.number,
    company,
    number: report.number,
    title: report.title,
    inspectionType: report.inspection_type,
    inspectedOn: report.inspected_on,
    inspectorName: report.inspector_name,
    result: report.result,
    summary: report.summary,
    site: siteFrom(report)!,
    findingGroups: SEVERITIES.map((severity) => {
      const rows = findings.filter((finding) => finding.severity === severity).map(findingEntry);
      return { severity, count: rows.length, findings: rows };
    }),
    equipment: equipment.map((row) => ({
      name: row.name,
      category: row.category,
      serialNumber: row.serial_number,
      location: row.location,
      result: row.result,
      notes: row.notes,
    })),
    totals: {
      findings: findings.length,
      deficiencies: findings.filter((finding) => finding.is_deficiency).length,
      equipmentInspected: equipment.length,
      equipmentPassed: equipment.filter((row) => row.result === 'pass').length,
      equipmentWithDeficiencies: equipment.filter((row) => row.result === 'deficiencies').length,
      equipmentFailed: equipment.filter((row) => row.result === 'fail').length,
    },
  };
}

function findingEntry(row: FindingRow): FindingEntry {
  return {
    location: row.location,
    description: row.description,
    recommendation: row.recommendation,
    codeReference: row.code_reference,
    status: row.status,
    isDeficiency: row.is_deficiency,
    equipmentName: row.equipment_name,
  };
}
