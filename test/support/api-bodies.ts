/** Request bodies for the integration API, one valid body per resource. */

export function companyBody(name = 'Acme Facilities') {
  return { name, accountNumber: 'A-100', billingEmail: 'billing@acme.example' };
}

export function siteBody(companyExternalId: string) {
  return { companyExternalId, name: 'Main plant', addressLine1: '1 Main St', city: 'Springfield', country: 'US' };
}

export function invoiceBody(companyExternalId: string, number: string) {
  return {
    companyExternalId,
    number,
    issuedOn: '2026-01-10',
    dueOn: '2026-02-09',
    currency: 'USD',
    subtotalMinor: 20000,
    taxMinor: 2000,
    totalMinor: 22000,
    lines: [
      { description: 'Annual inspection', quantity: 1, unitPriceMinor: 15000, amountMinor: 15000 },
      { description: 'Gauge', quantity: 2.5, unitPriceMinor: 2000, amountMinor: 5000 },
    ],
    payments: [{ paidOn: '2026-01-20', amountMinor: 5000, method: 'check', reference: 'CHK-7' }],
  };
}
