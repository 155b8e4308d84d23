import { Entity, OptionalProps, PrimaryKey, PrimaryKeyProp, Property } from '@mikro-orm/core';

/** One line of a user import and what became of it. */
@Entity({ tableName: 'user_import_rows' })
export class UserImportRow {
  [PrimaryKeyProp]?: ['tenantId', 'importId', 'lineNumber'];
  /** Properties with a default value, which `em.create` may leave out. */
  [OptionalProps]?: 'outcome';

  @PrimaryKey({ type: 'uuid', fieldName: 'tenant_id' })
  tenantId!: string;

  @PrimaryKey({ type: 'uuid', fieldName: 'import_id' })
  importId!: string;

  @PrimaryKey({ type: 'integer', fieldName: 'line_number' })
  lineNumber!: number;

  @Property({ type: 'text', fieldName: 'email' })
  email!: string;

  @Property({ type: 'text', fieldName: 'company_ref' })
  companyRef!: string;

  @Property({ type: 'text', fieldName: 'name', nullable: true })
  name?: string | null;

  @Property({ type: 'text', fieldName: 'outcome', default: 'pending' })
  outcome!: 'pending' | 'invited' | 'skipped' | 'failed';

  @Property({ type: 'text', fieldName: 'message', nullable: true })
  message?: string | null;

  @Property({ type: 'uuid', fieldName: 'portal_user_id', nullable: true })
  portalUserId?: string | null;
}
