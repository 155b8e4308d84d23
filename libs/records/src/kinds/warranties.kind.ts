import { RecordKind } from '../record-kind';

/** Days before its expiry date from which a warranty or document counts as expiring. */
export const EXPIRING_DAYS = 60;

/**
 * Builds the SQL for the status of a row that expires on `column`. The status
 * is 'expired' before `today` and 'expiring' up to EXPIRING_DAYS after it.
 * Otherwise, and when `column` is NULL, it is `valid`. `today` is an SQL date
 * expression such as :today.
 */
export function expiryStatusSql(column: string, today: string, valid = 'active'): string {
  return `CASE WHEN ${column} < ${today} THEN 'expired'
    WHEN ${column} <= ${today} + ${EXPIRING_DAYS} THEN 'expiring' ELSE '${valid}' END`;
}

export const warrantiesKind: RecordKind = {
  slug: 'warranties',
  title: 'Warranties',
  singular: 'Warranty',
  emptyMessage: 'No warranties have been shared with you yet.',
  select: `SELECT r.id, r.provider, r.policy_number, r.warranty_type, r.starts_on, r.expires_on,
      ${expiryStatusSql('r.expires_on', ':today')} AS effective_status,
      (SELECT count(*)::int FROM warranty_equipment we
        JOIN equipment e ON e.tenant_id = we.tenant_id AND e.id = we.equipment_id
        WHERE we.tenant_id = r.tenant_id AND we.warranty_id = r.id) AS equipment_count
    FROM warranties r`,
  sortColumn: 'expires_on',
  sortType: 'date',
  direction: 'asc',
  filters: {
    active: { label: 'Active', where: `r.expires_on > :today + ${EXPIRING_DAYS}` },
    expiring: { label: 'Expiring', where: `r.expires_on >= :today AND r.expires_on <= :today + ${EXPIRING_DAYS}` },
    expired: { label: 'Expired', where: 'r.expires_on < :today' },
  },
  async detail(db, id, context) {
    const [warranty] = await db.execute(
      `SELECT r.*, ${expiryStatusSql('r.expires_on', 'd.today')} AS effective_status
       FROM warranties r CROSS JOIN (SELECT ?::date AS today) d
       WHERE r.id = ?`,
      [context.today, id],
    );
    if (!warranty) return null;
    // Covered equipment that is not shared with the customer is left out.
    const equipment = await db.execute(
      `SELECT e.id, e.name, e.category, e.manufacturer, e.model, e.serial_number, s.name AS site_name
       FROM warranty_equipment we
       JOIN equipment e ON e.tenant_id = we.tenant_id AND e.id = we.equipment_id
       JOIN sites s ON s.tenant_id = e.tenant_id AND s.id = e.site_id
       WHERE we.warranty_id = ?
       ORDER BY we.position, e.name, e.id`,
      [id],
    );
    return { ...warranty, equipment };
  },
};
