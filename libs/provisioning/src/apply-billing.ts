import { parseMajorUnits, percentOf } from '../../locale/src';
import { ProvisioningContext } from './apply-manifest';
import { CompanyManifest } from './manifest.schema';
import { applyDetails, CompanyIds, lookup, upsertRecord } from './record-upserts';

/** Line amounts, subtotal, tax and total in minor units, computed so they always add up. */
function priceLines<Line extends { quantity: string; unit_price: string; optional?: boolean }>(
  lines: Line[],
  currency: string,
  taxRate: string | null | undefined,
) {
  const priced = lines.map((line) => {
    const unit = parseMajorUnits(line.unit_price, currency);
    const [whole, fraction = ''] = line.quantity.split('.');
    const scale = 10n ** BigInt(fraction.length);
    const scaled = unit * BigInt(whole + fraction);
    const amount = scaled / scale + ((scaled % scale) * 2n >= scale ? 1n : 0n);
    return { ...line, unit, amount };
  });
  const subtotal = priced.filter((line) => !line.optional).reduce((sum, line) => sum + line.amount, 0n);
  const tax = taxRate ? percentOf(subtotal, taxRate) : 0n;
  return { priced, subtotal, tax, total: subtotal + tax };
}

export async function applyInvoices(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  for (const invoice of company.invoices) {
    const currency = invoice.currency ?? context.manifest.currency;
    const { priced, subtotal, tax, total } = priceLines(invoice.lines, currency, invoice.tax_rate);
    const payments = invoice.payments.map((payment) => ({ ...payment, minor: parseMajorUnits(payment.amount, currency) }));
    const paid = payments.reduce((sum, payment) => sum + payment.minor, 0n);
    if (paid > total) {
      throw new Error(`invoice ${invoice.external_id}: payments of ${paid} exceed the total of ${total} minor units`);
    }

    let status = paid >= total ? 'paid' : 'open';
    if (invoice.void) status = 'void';

    const id = await upsertRecord(context, 'invoices', ids, invoice, {
      site_id: lookup(ids.sites, invoice.site),
      number: invoice.number,
      issued_on: context.dates.date(invoice.issued_on),
      due_on: context.dates.date(invoice.due_on),
      currency,
      subtotal_minor: subtotal.toString(),
      tax_minor: tax.toString(),
      total_minor: total.toString(),
      amount_paid_minor: paid.toString(),
      status,
      notes: invoice.notes ?? null,
    });
    await applyDetails(
      context,
      'invoice_lines',
      'invoice_id',
      id,
      ids,
      priced.map((line) => ({
        description: line.description,
        quantity: line.quantity,
        unit_price_minor: line.unit.toString(),
        amount_minor: line.amount.toString(),
      })),
    );
    await applyDetails(
      context,
      'invoice_payments',
      'invoice_id',
      id,
      ids,
      payments.map((payment) => ({
        paid_on: context.dates.date(payment.paid_on),
        amount_minor: payment.minor.toString(),
        method: payment.method,
        reference: payment.reference ?? null,
      })),
    );
  }
}

export async function applyContractsAndProposals(context: ProvisioningContext, company: CompanyManifest, ids: CompanyIds) {
  const { dates } = context;
  for (const contract of company.contracts) {
    const currency = contract.currency ?? context.manifest.currency;
    await upsertRecord(context, 'contracts', ids, contract, {
      site_id: lookup(ids.sites, contract.site),
      number: contract.number,
      title: contract.title,
      starts_on: dates.date(contract.starts_on),
      ends_on: dates.date(contract.ends_on),
      term_months: contract.term_months,
      value_minor: parseMajorUnits(contract.value, currency).toString(),
      currency,
      billing_frequency: contract.billing_frequency,
      status: contract.status,
      auto_renew: contract.auto_renew,
      scope: contract.scope ?? null,
    });
  }

  for (const proposal of company.proposals) {
    const currency = proposal.currency ?? context.manifest.currency;
    const { priced, subtotal, tax, total } = priceLines(proposal.lines, currency, proposal.tax_rate);
    const response = proposal.status === 'accepted' || proposal.status === 'declined' ? proposal.response : null;
    const id = await upsertRecord(context, 'proposals', ids, proposal, {
      site_id: lookup(ids.sites, proposal.site),
      number: proposal.number,
      title: proposal.title,
      summary: proposal.summary ?? null,
      issued_on: dates.date(proposal.issued_on),
      valid_until: dates.date(proposal.valid_until),
      status: proposal.status,
      currency,
      subtotal_minor: subtotal.toString(),
      tax_minor: tax.toString(),
      total_minor: total.toString(),
      terms: proposal.terms ?? null,
      responded_at: response ? dates.instant(`${response.responded_on} 10:00`) : null,
      responded_by_user_id: response ? lookup(ids.usersByName, response.name) : null,
      response_name: response?.name ?? null,
      response_reason: response?.reason ?? null,
    });
    await applyDetails(
      context,
      'proposal_lines',
      'proposal_id',
      id,
      ids,
      priced.map((line) => ({
        description: line.description,
        quantity: line.quantity,
        unit_price_minor: line.unit.toString(),
        amount_minor: line.amount.toString(),
        is_optional: line.optional ?? false,
      })),
    );
  }
}
