/** Tenant, branding and canonical portal address of the host a request arrived on. */
export interface Branding {
  companyName: string;
  tagline: string | null;
  hasLogo: boolean;
  primaryColor: string;
  accentColor: string;
  supportEmail: string | null;
  supportPhone: string | null;
  websiteUrl: string | null;
  address: string | null;
  welcomeMessage: string | null;
  version: number;
}

export interface TenantContext {
  id: string;
  slug: string;
  name: string;
  locale: string;
  timeZone: string;
  currency: string;
  /** Canonical portal address, built from configuration and never from a request header. */
  portalUrl: string;
  branding: Branding;
}

/** The signed-in portal user, as stored in the session. */
export interface PortalPrincipal {
  kind: 'portal';
  tenantId: string;
  companyId: string;
  userId: string;
  /** The user's session version at sign-in; a later reset raises it and ends this session. */
  sessionVersion: number;
}

export type StaffRole = 'owner' | 'admin' | 'member';

/** The signed-in staff user of the console, as stored in the session. */
export interface StaffPrincipal {
  kind: 'staff';
  tenantId: string;
  /** Slug of the tenant, from which the console resolves the tenant on each request. */
  tenantSlug: string;
  userId: string;
  role: StaffRole;
  /** The user's session version at sign-in; a later reset raises it and ends this session. */
  sessionVersion: number;
}

export type ApiKeyScope = 'read' | 'read_write';

/** The API key a request to the integration API authenticated with. */
export interface ApiKeyPrincipal {
  kind: 'api_key';
  tenantId: string;
  keyId: string;
  scope: ApiKeyScope;
}
