import { Entity, Property } from '@mikro-orm/core';

import { CompanyRecord } from './bases/company-record.base';

/** An installed asset at a site, such as a fire pump or a riser. */
@Entity({ tableName: 'equipment' })
export class Equipment extends CompanyRecord<'status'> {
  @Property({ type: 'uuid', fieldName: 'site_id' })
  siteId!: string;

  @Property({ type: 'text', fieldName: 'name' })
  name!: string;

  @Property({ type: 'text', fieldName: 'category' })
  category!: string;

  @Property({ type: 'text', fieldName: 'manufacturer', nullable: true })
  manufacturer?: string | null;

  @Property({ type: 'text', fieldName: 'model', nullable: true })
  model?: string | null;

  @Property({ type: 'text', fieldName: 'serial_number', nullable: true })
  serialNumber?: string | null;

  @Property({ type: 'text', fieldName: 'location', nullable: true })
  location?: string | null;

  @Property({ type: 'date', fieldName: 'installed_on', nullable: true })
  installedOn?: string | null;

  @Property({ type: 'text', fieldName: 'status', default: 'in_service' })
  status!: string;
}
