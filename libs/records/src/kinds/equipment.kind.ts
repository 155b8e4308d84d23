import { RecordKind } from '../record-kind';
import { expiryStatusSql } from './warranties.kind';

export const equipmentKind: RecordKind = {
  slug: 'equipment',
  title: 'Equipment',
  singular: 'Equipment',
  emptyMessage: 'No equipment has been shared with you yet.',
  // The list's warranty status follows the covering warranty that expires last.
  select: `SELECT r.id, r.name, r.category, r.manufacturer, r.model, r.location, r.status, s.name AS site_name,
      w.expires_on AS warranty_expires_on,
      CASE WHEN w.expires_on IS NULL THEN NULL ELSE ${expiryStatusSql('w.expires_on', ':today')} END AS warranty_status
    FROM equipment r
    JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
    LEFT JOIN LATERAL (
      SELECT max(wr.expires_on) AS expires_on FROM warranty_equipment we
      JOIN warranties wr ON wr.tenant_id = we.tenant_id AND wr.id = we.warranty_id
      WHERE we.tenant_id = r.tenant_id AND we.equipment_id = r.id
    ) w ON true`,
  sortColumn: 'name',
  // NOTE: decodeCursor rejects sort values over 500 characters and cursors
  // over 800, so a very long (or long non-ASCII) name ends paging with a 400.
  sortType: 'text',
  direction: 'asc',
  filters: {
    in_service: { label: 'In service', where: "r.status = 'in_service'" },
    out_of_service: { label: 'Out of service', where: "r.status = 'out_of_service'" },
    retired: { label: 'Retired', where: "r.status = 'retired'" },
  },
  async detail(db, id, context) {
    const [equipment] = await db.execute(
      `SELECT r.*, s.name AS site_name, s.address_line1, s.city
       FROM equipment r
       JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       WHERE r.id = ?`,
      [id],
    );
    if (!equipment) return null;
    // Row-level security hides entries whose report is not shared, so every
    // report_id left here joins to a visible report.
    const inspections = await db.execute(
      `SELECT i.id, i.inspected_on, i.result, i.notes, ir.id AS report_id, ir.number AS report_number
       FROM equipment_inspections i
       LEFT JOIN inspection_reports ir ON ir.tenant_id = i.tenant_id AND ir.id = i.report_id
       WHERE i.equipment_id = ?
       ORDER BY i.inspected_on DESC, i.position, i.id`,
      [id],
    );
    const warranties = await db.execute(
      `SELECT w.id, w.provider, w.policy_number, w.warranty_type, w.starts_on, w.expires_on,
          ${expiryStatusSql('w.expires_on', 'd.today')} AS effective_status
       FROM warranty_equipment we
       JOIN warranties w ON w.tenant_id = we.tenant_id AND w.id = we.warranty_id
       CROSS JOIN (SELECT ?::date AS today) d
       WHERE we.equipment_id = ?
       ORDER BY w.expires_on DESC, w.id`,
      [context.today, id],
    );
    return { ...equipment, inspections, warranties };
  },
};
