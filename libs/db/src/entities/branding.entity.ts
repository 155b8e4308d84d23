import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** A tenant's portal branding, one row per tenant. */
@Entity({ tableName: 'brandings' })
export class Branding {
  [PrimaryKeyProp]?: 'tenantId';
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'primaryColor' | 'accentColor' | 'version' | 'updatedAt';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  @Property({ type: 'text', fieldName: 'company_name' })
  companyName!: string;

  @Property({ type: 'text', fieldName: 'tagline', nullable: true })
  tagline?: string | null;

  @Property({ type: 'blob', fieldName: 'logo', nullable: true })
  logo?: Buffer | null;

  @Property({ type: 'text', fieldName: 'logo_content_type', nullable: true })
  logoContentType?: string | null;

  @Property({ type: 'character', fieldName: 'primary_color', length: 7, default: '#1f4e79' })
  primaryColor!: string;

  @Property({ type: 'character', fieldName: 'accent_color', length: 7, default: '#c8102e' })
  accentColor!: string;

  @Property({ type: 'text', fieldName: 'support_email', nullable: true })
  supportEmail?: string | null;

  @Property({ type: 'text', fieldName: 'support_phone', nullable: true })
  supportPhone?: string | null;

  @Property({ type: 'text', fieldName: 'website_url', nullable: true })
  websiteUrl?: string | null;

  @Property({ type: 'text', fieldName: 'address', nullable: true })
  address?: string | null;

  @Property({ type: 'text', fieldName: 'welcome_message', nullable: true })
  welcomeMessage?: string | null;

  @Property({ type: 'integer', fieldName: 'version', default: 1 })
  version!: number;

  @Property({ type: 'datetime', fieldName: 'updated_at', columnType: 'timestamptz', defaultRaw: 'now()' })
  updatedAt!: Date;
}
