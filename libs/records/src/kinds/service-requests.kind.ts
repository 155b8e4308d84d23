import { RecordKind } from '../record-kind';

export const serviceRequestsKind: RecordKind = {
  slug: 'service-requests',
  title: 'Service requests',
  singular: 'Service request',
  emptyMessage: 'There are no service requests yet. Choose "New service request" to report a problem or ask for a visit.',
  select: `SELECT r.id, r.number, r.category, r.urgency, r.status, r.created_at, s.name AS site_name
    FROM service_requests r JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'created_at',
  sortType: 'timestamp',
  direction: 'desc',
  filters: {
    submitted: { label: 'Submitted', where: "r.status = 'submitted'" },
    triaged: { label: 'Triaged', where: "r.status = 'triaged'" },
    scheduled: { label: 'Scheduled', where: "r.status = 'scheduled'" },
    closed: { label: 'Closed', where: "r.status = 'closed'" },
  },
  async detail(db, id) {
    // The customer role may read only some portal_users columns, so u.* would be rejected.
    // Equipment and work orders the customer cannot see join as NULL and are not linked.
    const [request] = await db.execute(
      `SELECT r.id, r.number, r.category, r.urgency, r.description, r.preferred_dates, r.status, r.created_at,
          s.name AS site_name, s.address_line1, s.city, e.id AS equipment_id, e.name AS equipment_name,
          u.name AS submitted_by_name, u.email AS submitted_by_email, w.id AS work_order_id, w.number AS work_order_number
       FROM service_requests r
       JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       LEFT JOIN equipment e ON e.tenant_id = r.tenant_id AND e.id = r.equipment_id
       LEFT JOIN portal_users u ON u.tenant_id = r.tenant_id AND u.id = r.portal_user_id
       LEFT JOIN work_orders w ON w.tenant_id = r.tenant_id AND w.service_request_id = r.id
       WHERE r.id = ?`,
      [id],
    );
    return request ?? null;
  },
};
