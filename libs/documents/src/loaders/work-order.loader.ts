import type { SqlExecutor } from '../../../db/src/sql-executor';
import type { WorkOrderData } from '../document-types';
import { isoInstant, loadCompany, LoadContext, SITE_COLUMNS, SiteColumns, siteFrom } from './loader-support';

interface WorkOrderRow extends SiteColumns {
  company_id: string;
  number: string;
  title: string;
  work_type: string;
  priority: string;
  status: string;
  scheduled_start: Date;
  scheduled_end: Date | null;
  completed_at: Date | null;
  technician_name: string | null;
  service_details: string | null;
  technician_notes: string | null;
  equipment_name: string | null;
  equipment_category: string | null;
  equipment_serial_number: string | null;
  equipment_location: string | null;
}

/**
 * Loads a shared work order as a service ticket. Equipment that is not
 * shared with the customer is left off, as the portal leaves it off.
 */
export async function loadWorkOrder(db: SqlExecutor, id: string, context: LoadContext): Promise<WorkOrderData | null> {
  const [order] = await db.execute<WorkOrderRow[]>(
    `SELECT r.company_id, r.number, r.title, r.work_type, r.priority, r.status, r.scheduled_start, r.scheduled_end,
        r.completed_at, r.technician_name, r.service_details, r.technician_notes, ${SITE_COLUMNS},
        e.name AS equipment_name, e.category AS equipment_category, e.serial_number AS equipment_serial_number,
        e.location AS equipment_location
     FROM work_orders r
     JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
     LEFT JOIN equipment e ON e.tenant_id = r.tenant_id AND e.id = r.equipment_id AND e.shared_at IS NOT NULL
     WHERE r.id = ? AND r.shared_at IS NOT NULL`,
    [id],
  );
  if (!order) return null;
  const company = await loadCompany(db, order.company_id);
  if (!company) return null;

  return {
    kind: 'work-order',
    locale: context.locale,
    timeZone: context.timeZone,
    documentNumber: order.number,
    company,
    number: order.number,
    title: order.title,
    workType: order.work_type,
    priority: order.priority,
    status: order.status,
    scheduledStart: isoInstant(order.scheduled_start),
    scheduledEnd: isoInstant(order.scheduled_end),
    completedAt: isoInstant(order.completed_at),
    technicianName: order.technician_name,
    serviceDetails: order.service_details,
    technicianNotes: order.technician_notes,
    site: siteFrom(order)!,
    equipment:
      order.equipment_name === null
        ? null
        : {
            name: order.equipment_name,
            category: order.equipment_category ?? '',
            serialNumber: order.equipment_serial_number,
            location: order.equipment_location,
          },
  };
}
