import { RecordKind } from '../record-kind';
import { EXPIRING_DAYS, expiryStatusSql } from './warranties.kind';

export const complianceDocumentsKind: RecordKind = {
  slug: 'compliance-documents',
  title: 'Compliance documents',
  singular: 'Compliance document',
  emptyMessage: 'No compliance documents have been shared with you yet.',
  select: `SELECT r.id, r.title, r.document_type, r.issuer, r.issued_on, r.expires_on, s.name AS site_name,
      ${expiryStatusSql('r.expires_on', ':today', 'current')} AS effective_status
    FROM compliance_documents r LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'issued_on',
  sortType: 'date',
  direction: 'desc',
  filters: {
    current: { label: 'Current', where: `r.expires_on IS NULL OR r.expires_on > :today + ${EXPIRING_DAYS}` },
    expiring: {
      label: `Expiring within ${EXPIRING_DAYS} days`,
      where: `r.expires_on >= :today AND r.expires_on <= :today + ${EXPIRING_DAYS}`,
    },
    expired: { label: 'Expired', where: 'r.expires_on < :today' },
  },
  async detail(db, id, context) {
    // A requirement the customer cannot see joins as NULL and is not linked.
    const [document] = await db.execute(
      `SELECT r.id, r.title, r.document_type, r.issuer, r.issued_on, r.expires_on,
          s.name AS site_name, s.address_line1, s.city,
          q.id AS requirement_id, q.title AS requirement_title, q.code_reference, q.authority,
          ${expiryStatusSql('r.expires_on', 'd.today', 'current')} AS effective_status
       FROM compliance_documents r
       CROSS JOIN (SELECT ?::date AS today) d
       LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       LEFT JOIN compliance_requirements q ON q.tenant_id = r.tenant_id AND q.id = r.requirement_id
       WHERE r.id = ?`,
      [context.today, id],
    );
    return document ?? null;
  },
};
