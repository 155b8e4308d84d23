import { RecordKind } from '../record-kind';

export const workOrdersKind: RecordKind = {
  slug: 'work-orders',
  title: 'Work orders',
  singular: 'Work order',
  emptyMessage: 'No work orders have been shared with you yet.',
  select: `SELECT r.id, r.number, r.title, r.work_type, r.priority, r.status, r.scheduled_start, r.completed_at,
      s.name AS site_name
    FROM work_orders r JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'scheduled_start',
  sortType: 'timestamp',
  direction: 'desc',
  filters: {
    scheduled: { label: 'Scheduled', where: "r.status = 'scheduled'" },
    in_progress: { label: 'In progress', where: "r.status = 'in_progress'" },
    completed: { label: 'Completed', where: "r.status = 'completed'" },
    cancelled: { label: 'Cancelled', where: "r.status = 'cancelled'" },
  },
  async detail(db, id) {
    // Equipment the customer cannot see joins as NULL and is not linked.
    const [order] = await db.execute(
      `SELECT r.id, r.number, r.title, r.work_type, r.priority, r.status, r.scheduled_start, r.scheduled_end,
          r.completed_at, r.technician_name, r.service_details, r.technician_notes,
          s.name AS site_name, s.address_line1, s.city, e.id AS equipment_id, e.name AS equipment_name
       FROM work_orders r
       JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       LEFT JOIN equipment e ON e.tenant_id = r.tenant_id AND e.id = r.equipment_id
       WHERE r.id = ?`,
      [id],
    );
    return order ?? null;
  },
};
