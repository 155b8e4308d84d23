import { companyReference, ResourceDefinition, siteReference } from './resource-definition';
import { currency, date, externalId, isValidMoney, lineAmountOf, money, notBefore, optionalText, quantity, shared, text, z } from './fields';

const invoiceLine = z
  .object({
    description: text(500),
    quantity,
    unitPriceMinor: money,
    amountMinor: money.openapi({ description: 'Must equal quantity × unitPriceMinor, rounded half up to a whole minor unit.' }),
  })
  .strict()
  .openapi('InvoiceLine');

const invoicePayment = z
  .object({
    paidOn: date,
    amountMinor: money.refine((value) => value > 0, 'must be greater than zero'),
    method: z.enum(['check', 'ach', 'card', 'wire', 'cash']),
    reference: optionalText(200),
  })
  .strict()
  .openapi('InvoicePayment');

const invoiceShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId.nullable().optional(),
    shared,
    number: text(50),
    issuedOn: date,
    dueOn: date,
    currency,
    subtotalMinor: money,
    taxMinor: money,
    totalMinor: money.openapi({ description: 'Must equal subtotalMinor + taxMinor.' }),
    amountPaidMinor: money.optional().openapi({ description: 'Defaults to the sum of the payments.' }),
    status: z.enum(['open', 'paid', 'void']).default('open'),
    notes: optionalText(5000),
    lines: z.array(invoiceLine).max(500).default([]),
    payments: z.array(invoicePayment).max(500).default([]),
  })
  .strict();

/**
 * Adds an issue for a total that is not subtotal plus tax and for each line
 * whose amount is not quantity × unit price. zod runs this even when a field
 * failed, so amounts that already have an issue are not compared.
 */
function checkInvoiceSums(value: z.infer<typeof invoiceShape>, context: z.RefinementCtx): void {
  const expectedTotal = value.subtotalMinor + value.taxMinor;
  const comparable = [value.subtotalMinor, value.taxMinor, value.totalMinor].every(isValidMoney);
  if (comparable && value.totalMinor !== expectedTotal) {
    const message = `must equal subtotalMinor + taxMinor, which is ${expectedTotal}`;
    context.addIssue({ code: z.ZodIssueCode.custom, path: ['totalMinor'], message });
  }
  value.lines.forEach((line, index) => {
    const validQuantity = typeof line.quantity === 'number' && line.quantity > 0 && line.quantity < 1_000_000_000;
    if (!validQuantity || !isValidMoney(line.unitPriceMinor) || !isValidMoney(line.amountMinor)) return;
    const expectedAmount = lineAmountOf(line.quantity, line.unitPriceMinor);
    if (line.amountMinor === expectedAmount) return;
    const message = `must equal quantity × unitPriceMinor rounded half up, which is ${expectedAmount}`;
    context.addIssue({ code: z.ZodIssueCode.custom, path: ['lines', index, 'amountMinor'], message });
  });
}

export const invoices: ResourceDefinition = {
  path: 'invoices',
  name: 'Invoice',
  table: 'invoices',
  kind: 'record',
  shape: invoiceShape,
  body: invoiceShape
    .superRefine((value, context) => {
      notBefore(value, context, 'issuedOn', 'dueOn');
      checkInvoiceSums(value, context);
      const paid = value.amountPaidMinor ?? value.payments.reduce((sum, payment) => sum + payment.amountMinor, 0);
      if (paid > value.totalMinor) {
        const path = value.amountPaidMinor === undefined ? 'payments' : 'amountPaidMinor';
        context.addIssue({ code: z.ZodIssueCode.custom, path: [path], message: 'the amount paid must not exceed totalMinor' });
      }
    })
    .openapi('InvoiceInput'),
  references: [companyReference, siteReference()],
  details: [
    { field: 'lines', table: 'invoice_lines', parentColumn: 'invoice_id', row: invoiceLine, references: [] },
    { field: 'payments', table: 'invoice_payments', parentColumn: 'invoice_id', row: invoicePayment, references: [] },
  ],
  derive: (body) => {
    if (body.amountPaidMinor !== undefined) return {};
    const payments = body.payments as Array<{ amountMinor: number }>;
    return { amount_paid_minor: payments.reduce((sum, payment) => sum + payment.amountMinor, 0) };
  },
};

const proposalLine = z
  .object({
    description: text(500),
    quantity,
    unitPriceMinor: money,
    amountMinor: money,
    isOptional: z.boolean().default(false),
  })
  .strict()
  .openapi('ProposalLine');

// Status and the response columns record the customer's response in the
// portal, so the API returns the status but never writes it.
const proposalShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId.nullable().optional(),
    shared,
    number: text(50),
    title: text(300),
    summary: optionalText(5000),
    issuedOn: date,
    validUntil: date,
    currency,
    subtotalMinor: money,
    taxMinor: money,
    totalMinor: money,
    terms: optionalText(20000),
    lines: z.array(proposalLine).max(500).default([]),
  })
  .strict();

export const proposals: ResourceDefinition = {
  path: 'proposals',
  name: 'Proposal',
  table: 'proposals',
  kind: 'record',
  shape: proposalShape,
  body: proposalShape.superRefine((value, context) => notBefore(value, context, 'issuedOn', 'validUntil')).openapi('ProposalInput'),
  references: [companyReference, siteReference()],
  details: [{ field: 'lines', table: 'proposal_lines', parentColumn: 'proposal_id', row: proposalLine, references: [] }],
  readOnly: { status: z.enum(['sent', 'accepted', 'declined', 'expired']) },
};

const contractShape = z
  .object({
    companyExternalId: externalId,
    siteExternalId: externalId.nullable().optional(),
    shared,
    number: text(50),
    title: text(300),
    startsOn: date,
    endsOn: date,
    termMonths: z.number().int('must be a whole number of months').min(1, 'must be at least 1').max(1200),
    valueMinor: money,
    currency,
    billingFrequency: z.enum(['monthly', 'quarterly', 'annual', 'one_time']),
    status: z.enum(['pending', 'active', 'expired', 'cancelled']),
    autoRenew: z.boolean().default(false),
    scope: optionalText(20000),
  })
  .strict();

export const contracts: ResourceDefinition = {
  path: 'contracts',
  name: 'Contract',
  table: 'contracts',
  kind: 'record',
  shape: contractShape,
  body: contractShape.superRefine((value, context) => notBefore(value, context, 'startsOn', 'endsOn')).openapi('ContractInput'),
  references: [companyReference, siteReference()],
  details: [],
};
