import { companyReference, ResourceDefinition } from './resource-definition';
import { externalId, optionalText, text, z } from './fields';

const companyShape = z
  .object({
    name: text(200),
    accountNumber: optionalText(100),
    billingEmail: z.string().email('must be an email address').max(254).nullable().optional(),
    phone: optionalText(50),
    address: optionalText(500),
  })
  .strict()
  .openapi('CustomerCompanyInput');

export const customerCompanies: ResourceDefinition = {
  path: 'customer-companies',
  name: 'CustomerCompany',
  table: 'customer_companies',
  kind: 'company',
  shape: companyShape,
  body: companyShape,
  references: [],
  details: [],
};

const siteShape = z
  .object({
    companyExternalId: externalId,
    name: text(200),
    addressLine1: text(200),
    addressLine2: optionalText(200),
    city: text(100),
    region: optionalText(100),
    postalCode: optionalText(20),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US')
      .default('US')
      .openapi({ example: 'US' }),
  })
  .strict()
  .openapi('SiteInput');

export const sites: ResourceDefinition = {
  path: 'sites',
  name: 'Site',
  table: 'sites',
  kind: 'company_row',
  shape: siteShape,
  body: siteShape,
  references: [companyReference],
  details: [],
};

const portalUserShape = z
  .object({
    companyExternalId: externalId,
    email: z
      .string()
      .max(254, 'must be at most 254 characters')
      .email('must be an email address')
      .transform((value) => value.toLowerCase())
      .openapi({ example: 'facilities@example.com' }),
    name: optionalText(200),
    sendInvitation: z
      .boolean()
      .optional()
      .openapi({
        description:
          'Queues the invitation email when the user has never been invited. A user who was invited or has signed in ' +
          'gets no second email, and staff resend invitations in the console.',
      }),
  })
  .strict()
  .openapi('PortalUserInput');

export const portalUsers: ResourceDefinition = {
  path: 'portal-users',
  name: 'PortalUser',
  table: 'portal_users',
  kind: 'company_row',
  shape: portalUserShape,
  body: portalUserShape,
  references: [companyReference],
  details: [],
  actions: ['sendInvitation'],
  readOnly: {
    status: z.enum(['invited', 'active', 'disabled']),
    invited_at: z.string().nullable().openapi({ format: 'date-time' }),
  },
};
