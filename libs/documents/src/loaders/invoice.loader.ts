import type { SqlExecutor } from '../../../db/src/sql-executor';
import type { InvoiceData } from '../document-types';
import { loadCompany, LoadContext, minorUnits, SITE_COLUMNS, SiteColumns, siteFrom } from './loader-support';

interface InvoiceRow extends SiteColumns {
  company_id: string;
  number: string;
  issued_on: string;
  due_on: string;
  status: InvoiceData['status'];
  is_overdue: boolean;
  currency: string;
  subtotal_minor: string;
  tax_minor: string;
  total_minor: string;
  amount_paid_minor: string;
  balance_minor: string;
  notes: string | null;
}

interface LineRow {
  description: string;
  quantity: string;
  unit_price_minor: string;
  amount_minor: string;
}

interface PaymentRow {
  paid_on: string;
  amount_minor: string;
  method: string;
  reference: string | null;
}

/** Loads a shared invoice with its lines and payments. Overdue is judged against the tenant's today. */
export async function loadInvoice(db: SqlExecutor, id: string, context: LoadContext): Promise<InvoiceData | null> {
  const [invoice] = await db.execute<InvoiceRow[]>(
    `SELECT r.company_id, r.number, r.issued_on, r.due_on, r.status, r.currency, r.subtotal_minor, r.tax_minor,
        r.total_minor, r.amount_paid_minor, r.balance_minor, r.notes, ${SITE_COLUMNS},
        (r.status = 'open' AND r.due_on < ?::date) AS is_overdue
     FROM invoices r
     LEFT JOIN sites s ON s.tenant_id = r.tenant_id AND s.id = r.site_id
     WHERE r.id = ? AND r.shared_at IS NOT NULL`,
    [context.today, id],
  );
  if (!invoice) return null;
  const company = await loadCompany(db, invoice.company_id);
  if (!company) return null;

  const lines = await db.execute<LineRow[]>(
    `SELECT description, quantity, unit_price_minor, amount_minor
     FROM invoice_lines WHERE invoice_id = ? ORDER BY position, id`,
    [id],
  );
  const payments = await db.execute<PaymentRow[]>(
    `SELECT paid_on, amount_minor, method, reference
     FROM invoice_payments WHERE invoice_id = ? ORDER BY paid_on, position, id`,
    [id],
  );

  return {
    kind: 'invoice',
    locale: context.locale,
    timeZone: context.timeZone,
    documentNumber: invoice.number,
    company,
    number: invoice.number,
    issuedOn: invoice.issued_on,
    dueOn: invoice.due_on,
    status: invoice.status,
    isOverdue: invoice.is_overdue,
    currency: invoice.currency,
    subtotalMinor: minorUnits(invoice.subtotal_minor),
    taxMinor: minorUnits(invoice.tax_minor),
    totalMinor: minorUnits(invoice.total_minor),
    amountPaidMinor: minorUnits(invoice.amount_paid_minor),
    balanceMinor: minorUnits(invoice.balance_minor),
    notes: invoice.notes,
    site: siteFrom(invoice),
    lines: lines.map((line) => ({
      description: line.description,
      quantity: line.quantity,
      unitPriceMinor: minorUnits(line.unit_price_minor),
      amountMinor: minorUnits(line.amount_minor),
    })),
    payments: payments.map((payment) => ({
      paidOn: payment.paid_on,
      amountMinor: minorUnits(payment.amount_minor),
      method: payment.method,
      reference: payment.reference,
    })),
  };
}
