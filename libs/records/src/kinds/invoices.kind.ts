import { RecordKind } from '../record-kind';

export const invoicesKind: RecordKind = {
  slug: 'invoices',
  title: 'Invoices',
  singular: 'Invoice',
  emptyMessage: 'No invoices have been shared with you yet.',
  select: `SELECT r.id, r.number, r.issued_on, r.due_on, r.currency, r.total_minor, r.amount_paid_minor,
      r.balance_minor, r.status, s.name AS site_name,
      (r.status = 'open' AND r.due_on < :today) AS is_overdue
    FROM invoices r LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id`,
  sortColumn: 'issued_on',
  sortType: 'date',
  direction: 'desc',
  filters: {
    outstanding: { label: 'Outstanding', where: "r.status = 'open'" },
    overdue: { label: 'Overdue', where: "r.status = 'open' AND r.due_on < :today" },
    paid: { label: 'Paid', where: "r.status = 'paid'" },
    void: { label: 'Void', where: "r.status = 'void'" },
  },
  async detail(db, id, context) {
    const [invoice] = await db.execute(
      `SELECT r.*, s.name AS site_name, s.address_line1, s.city, s.region, s.postal_code,
          c.name AS company_name, (r.status = 'open' AND r.due_on < ?::date) AS is_overdue
       FROM invoices r
       JOIN customer_companies c ON c.tenant_id = r.tenant_id AND c.id = r.company_id
       LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
       WHERE r.id = ?`,
      [context.today, id],
    );
    if (!invoice) return null;
    const lines = await db.execute('SELECT * FROM invoice_lines WHERE invoice_id = ? ORDER BY position', [id]);
    const payments = await db.execute('SELECT * FROM invoice_payments WHERE invoice_id = ? ORDER BY paid_on', [id]);
    return { ...invoice, lines, payments };
  },
};
