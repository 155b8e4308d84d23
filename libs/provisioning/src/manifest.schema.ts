import { z } from 'zod';

import { isCurrency, isIsoDate, isTimeZone } from '../../locale/src';

/** Schema of tenants/<slug>/tenant.yaml; tenants/README.md documents each field. */

const RELATIVE_DATE = /^today(?:[+-]\d{1,5})?$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

const text = (max = 500) => z.string().trim().min(1).max(max);
const optionalText = (max = 5000) => z.string().trim().max(max).nullish();
const shared = z.boolean().default(true);
const externalId = z.string().trim().min(1).max(100);
const decimal = z.union([z.string(), z.number()]).transform((value, context) => {
  const written = String(value).trim();
  if (!/^\d+(\.\d+)?$/.test(written)) {
    context.addIssue({ code: z.ZodIssueCode.custom, message: `"${written}" is not a non-negative decimal number` });
    return z.NEVER;
  }
  return written;
});

/** A calendar date: YYYY-MM-DD, today or today±N days. */
export const dateExpression = z
  .union([z.string(), z.date()])
  .transform((value) => (value instanceof Date ? value.toISOString().slice(0, 10) : value.trim()))
  .refine((value) => RELATIVE_DATE.test(value) || isIsoDate(value), {
    message: 'must be a date such as 2026-03-14, today, today+30 or today-45',
  });

/** A wall-clock time: a date expression, a space and HH:MM. */
export const timestampExpression = z
  .string()
  .trim()
  .refine(
    (value) => {
      const [date, time, extra] = value.split(' ');
      return extra === undefined && TIME.test(time ?? '') && (RELATIVE_DATE.test(date) || isIsoDate(date));
    },
    { message: 'must be a date and time such as 2026-03-14 09:30 or today+3 08:00' },
  );

const hexColor = z
  .string()
  .trim()
  .regex(/^#[0-9a-f]{6}$/, 'must be a six-digit lower-case hex colour such as #1f4e79');

const email = z.string().trim().toLowerCase().email().max(254);

const site = z
  .object({
    external_id: externalId,
    name: text(200),
    address_line1: text(200),
    address_line2: optionalText(200),
    city: text(100),
    region: optionalText(100),
    postal_code: z.union([z.string(), z.number()]).transform(String).nullish(),
    country: z.string().trim().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US'),
  })
  .strict();

const portalUser = z
  .object({
    email,
    name: optionalText(200),
    password: z.string().min(8).max(200).nullish(),
    status: z.enum(['invited', 'active', 'disabled']).default('active'),
  })
  .strict();

const equipment = z
  .object({
    external_id: externalId,
    site: externalId,
    name: text(200),
    category: text(100),
    manufacturer: optionalText(200),
    model: optionalText(200),
    serial_number: optionalText(200),
    location: optionalText(300),
    installed_on: dateExpression.nullish(),
    status: z.enum(['in_service', 'out_of_service', 'retired']).default('in_service'),
    shared,
    inspections: z
      .array(
        z
          .object({
            inspected_on: dateExpression,
            result: z.enum(['pass', 'deficiencies', 'fail']),
            notes: optionalText(),
            report: externalId.nullish(),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const finding = z
  .object({
    severity: z.enum(['critical', 'major', 'minor', 'advisory']),
    status: z.enum(['open', 'in_progress', 'resolved', 'deferred']).default('open'),
    deficiency: z.boolean().default(true),
    location: text(300),
    description: text(5000),
    recommendation: optionalText(),
    code_reference: optionalText(200),
    equipment: externalId.nullish(),
  })
  .strict();

const inspectionReport = z
  .object({
    external_id: externalId,
    number: text(50),
    site: externalId,
    title: text(300),
    inspection_type: text(200),
    inspected_on: dateExpression,
    inspector_name: text(200),
    result: z.enum(['pass', 'deficiencies', 'fail']),
    summary: optionalText(),
    shared,
    findings: z.array(finding).default([]),
  })
  .strict();

const line = z
  .object({
    description: text(1000),
    quantity: decimal,
    unit_price: decimal,
    optional: z.boolean().default(false),
  })
  .strict();

const invoice = z
  .object({
    external_id: externalId,
    number: text(50),
    site: externalId.nullish(),
    issued_on: dateExpression,
    due_on: dateExpression,
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as USD').nullish(),
    tax_rate: decimal.nullish(),
    void: z.boolean().default(false),
    notes: optionalText(),
    shared,
    lines: z.array(line.omit({ optional: true })).min(1),
    payments: z
      .array(
        z
          .object({
            paid_on: dateExpression,
            amount: decimal,
            method: z.enum(['check', 'ach', 'card', 'wire', 'cash']),
            reference: optionalText(200),
          })
          .strict(),
      )
      .default([]),
  })
  .strict();

const complianceRequirement = z
  .object({
    external_id: externalId,
    site: externalId,
    title: text(300),
    code_reference: optionalText(200),
    authority: optionalText(200),
    frequency: z.enum(['monthly', 'quarterly', 'semiannual', 'annual', 'three_year', 'five_year', 'one_time']),
    last_completed_on: dateExpression.nullish(),
    due_on: dateExpression,
    completed_on: dateExpression.nullish(),
    notes: optionalText(),
    shared,
  })
  .strict();

const complianceDocument = z
  .object({
    external_id: externalId,
    site: externalId.nullish(),
    requirement: externalId.nullish(),
    title: text(300),
    document_type: z.enum(['certificate', 'permit', 'report', 'letter', 'other']),
    issuer: optionalText(200),
    issued_on: dateExpression,
    expires_on: dateExpression.nullish(),
    shared,
  })
  .strict();

const contract = z
  .object({
    external_id: externalId,
    number: text(50),
    site: externalId.nullish(),
    title: text(300),
    starts_on: dateExpression,
    ends_on: dateExpression,
    term_months: z.number().int().positive().max(600),
    value: decimal,
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as USD').nullish(),
    billing_frequency: z.enum(['monthly', 'quarterly', 'annual', 'one_time']),
    status: z.enum(['pending', 'active', 'expired', 'cancelled']),
    auto_renew: z.boolean().default(false),
    scope: optionalText(),
    shared,
  })
  .strict();

const proposal = z
  .object({
    external_id: externalId,
    number: text(50),
    site: externalId.nullish(),
    title: text(300),
    summary: optionalText(),
    issued_on: dateExpression,
    valid_until: dateExpression,
    status: z.enum(['sent', 'accepted', 'declined', 'expired']).default('sent'),
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as USD').nullish(),
    tax_rate: decimal.nullish(),
    terms: optionalText(),
    shared,
    response: z
      .object({
        name: text(200),
        reason: optionalText(),
        responded_on: dateExpression,
      })
      .strict()
      .nullish(),
    lines: z.array(line).min(1),
  })
  .strict();

const workOrder = z
  .object({
    external_id: externalId,
    number: text(50),
    site: externalId,
    equipment: externalId.nullish(),
    title: text(300),
    work_type: z.enum(['inspection', 'repair', 'maintenance', 'installation', 'emergency']),
    priority: z.enum(['low', 'normal', 'high', 'emergency']).default('normal'),
    status: z.enum(['scheduled', 'in_progress', 'completed', 'cancelled']),
    scheduled_start: timestampExpression,
    scheduled_end: timestampExpression.nullish(),
    completed_at: timestampExpression.nullish(),
    technician_name: optionalText(200),
    service_details: optionalText(),
    technician_notes: optionalText(),
    shared,
  })
  .strict();

const warranty = z
  .object({
    external_id: externalId,
    provider: text(200),
    policy_number: text(100),
    warranty_type: z.enum(['manufacturer', 'installer', 'extended']),
    coverage: optionalText(),
    starts_on: dateExpression,
    expires_on: dateExpression,
    equipment: z.array(externalId).default([]),
    shared,
  })
  .strict();

const serviceRequest = z
  .object({
    external_id: externalId,
    number: text(50),
    site: externalId,
    equipment: externalId.nullish(),
    portal_user: email.nullish(),
    category: text(100),
    urgency: z.enum(['low', 'normal', 'high', 'emergency']),
    description: text(5000),
    preferred_dates: optionalText(500),
    status: z.enum(['submitted', 'triaged', 'scheduled', 'closed']).default('submitted'),
    submitted_at: timestampExpression,
    shared,
  })
  .strict();

const customerCompany = z
  .object({
    external_id: externalId,
    name: text(200),
    account_number: z.union([z.string(), z.number()]).transform(String).nullish(),
    billing_email: email.nullish(),
    phone: optionalText(50),
    address: optionalText(500),
    sites: z.array(site).min(1),
    portal_users: z.array(portalUser).default([]),
    equipment: z.array(equipment).default([]),
    inspection_reports: z.array(inspectionReport).default([]),
    invoices: z.array(invoice).default([]),
    compliance_requirements: z.array(complianceRequirement).default([]),
    compliance_documents: z.array(complianceDocument).default([]),
    contracts: z.array(contract).default([]),
    proposals: z.array(proposal).default([]),
    work_orders: z.array(workOrder).default([]),
    warranties: z.array(warranty).default([]),
    service_requests: z.array(serviceRequest).default([]),
  })
  .strict();

export const manifestSchema = z
  .object({
    slug: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be lower-case letters, digits and hyphens, 1 to 63 long'),
    name: text(200),
    locale: z.string().refine((value) => {
      try {
        return Intl.getCanonicalLocales(value).length === 1;
      } catch {
        return false;
      }
    }, 'must be a BCP 47 locale such as en-US'),
    time_zone: z.string().refine(isTimeZone, 'must be an IANA time zone such as America/Chicago'),
    currency: z.string().refine(isCurrency, 'must be an ISO 4217 currency code such as USD'),
    branding: z
      .object({
        company_name: text(200),
        tagline: optionalText(200),
        logo: z
          .string()
          .regex(/^[\w.-]+\.(svg|png|jpe?g|webp)$/i, 'must be a file name in the manifest folder')
          .nullish(),
        primary_color: hexColor,
        accent_color: hexColor,
        support_email: email.nullish(),
        support_phone: optionalText(50),
        website_url: z
          .string()
          .url()
          .refine((value) => /^https?:\/\//i.test(value), 'must be an http or https address')
          .nullish(),
        address: optionalText(500),
        welcome_message: optionalText(2000),
      })
      .strict(),
    domains: z
      .array(
        z
          .object({
            hostname: z
              .string()
              .trim()
              .toLowerCase()
              .regex(/^([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]+$/, 'must be a host name such as portal.example.com'),
            verified: z.boolean().default(false),
            primary: z.boolean().default(false),
          })
          .strict(),
      )
      .nullish()
      .transform((value) => value ?? []),
    staff_users: z
      .array(
        z
          .object({
            email,
            name: text(200),
            role: z.enum(['owner', 'admin', 'member']),
            password: z.string().min(8).max(200).nullish(),
          })
          .strict(),
      )
      .default([]),
    customer_companies: z.array(customerCompany).default([]),
  })
  .strict();

export type TenantManifest = z.infer<typeof manifestSchema>;
export type CompanyManifest = TenantManifest['customer_companies'][number];
