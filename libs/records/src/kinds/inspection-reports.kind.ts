import { RecordKind } from '../record-kind';

/** Finding severities, most serious first. The detail page groups findings in this order. */
export const SEVERITIES = ['critical', 'major', 'minor', 'advisory'] as const;

export const inspectionReportsKind: RecordKind = {
  slug: 'inspection-reports',
  title: 'Inspection reports',
  singular: 'Inspection report',
  emptyMessage: 'No inspection reports have been shared with you yet.',
  select: `SELECT r.id, r.number, r.title, r.inspection_type, r.inspected_on, r.inspector_name, r.result,
      s.name AS site_name
    FROM inspection_reports r JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'inspected_on',
  sortType: 'date',
  direction: 'desc',
  filters: {
    pass: { label: 'Pass', where: "r.result = 'pass'" },
    deficiencies: { label: 'Deficiencies', where: "r.result = 'deficiencies'" },
    fail: { label: 'Fail', where: "r.result = 'fail'" },
  },
  async detail(db, id) {
    const [report] = await db.execute(
      `SELECT r.*, s.name AS site_name, s.address_line1, s.city
       FROM inspection_reports r
       JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       WHERE r.id = ?`,
      [id],
    );
    if (!report) return null;
    // Equipment the customer cannot see joins as NULL, so its finding shows no link.
    const findings = await db.execute<Array<Record<string, unknown>>>(
      `SELECT f.id, f.severity, f.status, f.is_deficiency, f.location, f.description, f.recommendation,
          f.code_reference, e.id AS equipment_id, e.name AS equipment_name
       FROM inspection_findings f
       LEFT JOIN equipment e ON e.tenant_id = f.tenant_id AND e.id = f.equipment_id
       WHERE f.report_id = ?
       ORDER BY f.position, f.id`,
      [id],
    );
    const groups = SEVERITIES.map((severity) => {
      const rows = findings.filter((finding) => finding.severity === severity);
      return { severity, count: rows.length, findings: rows };
    });
    return { ...report, findingCount: findings.length, groups };
  },
};
