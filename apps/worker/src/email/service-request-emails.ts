import type { SqlExecutor } from '../../../../libs/db/src/sql-executor';

/** A composed email's subject and template fields, or the reason it is not sent. */
export type ComposedEmail = { subject: string; fields: Record<string, unknown> } | { cancel: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface RequestRow {
  id: string;
  number: string;
  category: string;
  urgency: string;
  description: string;
  preferred_dates: string | null;
  site_name: string;
  equipment_name: string | null;
  submitter_name: string | null;
  submitter_email: string | null;
  submitter_status: string | null;
  company_name: string;
  file_count: number;
}

/** Loads the request a delivery names, as staff of the job's tenant, or null. */
async function loadRequest(db: SqlExecutor, details: Record<string, unknown>): Promise<RequestRow | null> {
  const id = String(details.serviceRequestId);
  if (!UUID.test(id)) return null;
  const [row] = await db.execute<RequestRow[]>(
    `SELECT r.id, r.number, r.category, r.urgency, r.description, r.preferred_dates, s.name AS site_name,
            e.name AS equipment_name, u.name AS submitter_name, u.email AS submitter_email, u.status AS submitter_status,
            c.name AS company_name,
            (SELECT count(*)::int FROM record_attachments a WHERE a.tenant_id = r.tenant_id AND a.service_request_id = r.id) AS file_count
     FROM service_requests r
     JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
     JOIN customer_companies c ON c.tenant_id = r.tenant_id AND c.id = r.company_id
     LEFT JOIN equipment e ON e.tenant_id = r.tenant_id AND e.id = r.equipment_id
     LEFT JOIN portal_users u ON u.tenant_id = r.tenant_id AND u.id = r.portal_user_id
     WHERE r.id = ?`,
    [id],
  );
  return row ?? null;
}

function requestFields(request: RequestRow) {
  return {
    number: request.number,
    category: request.category,
    urgency: request.urgency,
    siteName: request.site_name,
    equipmentName: request.equipment_name,
    preferredDates: request.preferred_dates,
    description: request.description,
    fileCount: request.file_count,
  };
}

/** Composes the confirmation to the portal user who submitted the request, with a link to it in the portal. */
export async function composeRequestReceived(
  db: SqlExecutor,
  delivery: { recipient: string; details: Record<string, unknown> },
  brand: { company_name: string },
  portalUrl: string,
): Promise<ComposedEmail> {
  const request = await loadRequest(db, delivery.details);
  if (!request) return { cancel: 'the service request no longer exists' };
  // A user disabled since submitting cannot open the link, so the email would only confuse.
  if (request.submitter_email !== delivery.recipient || request.submitter_status !== 'active') {
    return { cancel: 'the recipient is no longer an active user who submitted this request' };
  }
  return {
    subject: `We received your service request ${request.number}`,
    fields: { ...requestFields(request), name: request.submitter_name, url: `${portalUrl}/service-requests/${request.id}`, brandName: brand.company_name },
  };
}

/** Composes the notice to an owner or admin of the tenant, with a link to the request in the console inbox. */
export async function composeRequestSubmitted(
  db: SqlExecutor,
  delivery: { recipient: string; details: Record<string, unknown> },
  consoleUrl: string,
): Promise<ComposedEmail> {
  const request = await loadRequest(db, delivery.details);
  if (!request) return { cancel: 'the service request no longer exists' };
  const [staff] = await db.execute<Array<{ name: string }>>(
    `SELECT name FROM staff_users WHERE email = ? AND role IN ('owner', 'admin') AND status = 'active'`,
    [delivery.recipient],
  );
  if (!staff) return { cancel: 'the recipient is no longer an active owner or admin' };
  return {
    subject: `New service request ${request.number} from ${request.company_name}`,
    fields: {
      ...requestFields(request),
      name: staff.name,
      companyName: request.company_name,
      submitter: request.submitter_name ?? request.submitter_email,
      url: `${consoleUrl}/service-requests/${request.id}`,
    },
  };
}
