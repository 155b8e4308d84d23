import { RecordKind } from '../record-kind';
import { expiryStatusSql } from './warranties.kind';

/** Days ahead in which an open requirement counts as due; the dashboard uses the same window. */
export const DUE_SOON_DAYS = 30;

/** Builds the SQL for a requirement's status, which is computed because no column stores it. */
export function requirementStatusSql(today: string): string {
  return `CASE WHEN r.completed_on IS NOT NULL THEN 'completed'
    WHEN r.due_on < ${today} THEN 'overdue'
    WHEN r.due_on <= ${today} + ${DUE_SOON_DAYS} THEN 'due'
    ELSE 'upcoming' END`;
}

export const complianceKind: RecordKind = {
  slug: 'compliance',
  title: 'Compliance',
  singular: 'Compliance requirement',
  emptyMessage: 'No compliance requirements have been shared with you yet.',
  select: `SELECT r.id, r.title, r.code_reference, r.frequency, r.due_on, r.completed_on, s.name AS site_name,
      ${requirementStatusSql(':today')} AS effective_status
    FROM compliance_requirements r JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'due_on',
  sortType: 'date',
  direction: 'asc',
  filters: {
    overdue: { label: 'Overdue', where: 'r.completed_on IS NULL AND r.due_on < :today' },
    due: {
      label: `Due within ${DUE_SOON_DAYS} days`,
      where: `r.completed_on IS NULL AND r.due_on >= :today AND r.due_on <= :today + ${DUE_SOON_DAYS}`,
    },
    upcoming: { label: 'Upcoming', where: `r.completed_on IS NULL AND r.due_on > :today + ${DUE_SOON_DAYS}` },
    completed: { label: 'Completed', where: 'r.completed_on IS NOT NULL' },
  },
  async detail(db, id, context) {
    const [requirement] = await db.execute(
      `SELECT r.*, s.name AS site_name, s.address_line1, s.city, ${requirementStatusSql('d.today')} AS effective_status
       FROM compliance_requirements r
       JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       CROSS JOIN (SELECT ?::date AS today) d
       WHERE r.id = ?`,
      [context.today, id],
    );
    if (!requirement) return null;
    const documents = await db.execute(
      `SELECT c.id, c.title, c.document_type, c.issuer, c.issued_on, c.expires_on,
          ${expiryStatusSql('c.expires_on', 'd.today', 'current')} AS effective_status
       FROM compliance_documents c CROSS JOIN (SELECT ?::date AS today) d
       WHERE c.requirement_id = ?
       ORDER BY c.issued_on DESC, c.id DESC`,
      [context.today, id],
    );
    return { ...requirement, documents };
  },
};
