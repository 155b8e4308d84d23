import type { EntityMetadata, EntityProperty } from '@mikro-orm/core';
import { MikroORM } from '@mikro-orm/postgresql';
import { Pool } from 'pg';

import { ENTITIES, Invoice, InvoiceLine } from '../../libs/db/src/entities';
import { adminPool, provisionTestTenant, TestTenant } from '../support/fixtures';

interface ColumnRow {
  table_name: string;
  column_name: string;
  is_nullable: 'YES' | 'NO';
  data_type: string;
  udt_name: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  column_default: string | null;
  is_generated: 'ALWAYS' | 'NEVER';
  generation_expression: string | null;
}

const COLUMNS_SQL = `
  SELECT table_name, column_name, is_nullable, data_type, udt_name, character_maximum_length,
         numeric_precision, numeric_scale, column_default, is_generated, generation_expression
  FROM information_schema.columns
  WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
  ORDER BY table_name, ordinal_position`;

const PRIMARY_KEYS_SQL = `
  SELECT k.table_name, k.column_name
  FROM information_schema.table_constraints c
  JOIN information_schema.key_column_usage k
    ON k.constraint_schema = c.constraint_schema AND k.constraint_name = c.constraint_name
  WHERE c.table_schema = 'public' AND c.constraint_type = 'PRIMARY KEY'
  ORDER BY k.table_name, k.ordinal_position`;

/** MikroORM spells some column types differently from information_schema. */
const TYPE_ALIASES: Record<string, string> = {
  int: 'integer',
  timestamptz: 'timestamp with time zone',
};

/** Formats the column type as PostgreSQL prints it, for example character(3) or numeric(12,3). */
function columnType(column: ColumnRow): string {
  if (column.data_type === 'character') return `character(${column.character_maximum_length})`;
  // Array columns report data_type ARRAY and the element type as udt_name with a leading underscore.
  if (column.data_type === 'ARRAY') return `${column.udt_name.slice(1)}[]`;
  if (column.data_type === 'numeric') return `numeric(${column.numeric_precision},${column.numeric_scale})`;
  return column.data_type;
}

function propertyType(prop: EntityProperty): string {
  const declared = prop.columnTypes[0];
  const char = /^char\((\d+)\)$/.exec(declared);
  if (char) return `character(${char[1]})`;
  return TYPE_ALIASES[declared] ?? declared;
}

/** Drops the cast that PostgreSQL appends to literal defaults, as in 'open'::text or '{}'::uuid[]. */
function columnDefault(column: ColumnRow): string | null {
  return column.column_default?.replace(/::[a-z ]+(\[\])?$/, '') ?? null;
}

/** Maps each column that the entity's properties name to `read(prop)`. */
function byField<T>(meta: EntityMetadata, read: (prop: EntityProperty) => T): Record<string, T> {
  const result: Record<string, T> = {};
  for (const prop of meta.props) {
    for (const field of prop.fieldNames ?? []) result[field] = read(prop);
  }
  return result;
}

/** Maps each table column that the entity also maps to `read(column)`. */
function byColumn<T>(columns: ColumnRow[], meta: EntityMetadata, read: (column: ColumnRow) => T): Record<string, T> {
  const mapped = new Set(meta.props.flatMap((prop) => prop.fieldNames ?? []));
  const result: Record<string, T> = {};
  for (const column of columns) {
    if (mapped.has(column.column_name)) result[column.column_name] = read(column);
  }
  return result;
}

/** Returns DATABASE_URL with portal_app, the login role of the apps, as the user. */
function portalAppUrl(): string {
  const url = new URL(process.env.DATABASE_URL!);
  url.username = 'portal_app';
  url.password = '';
  return url.toString();
}

const ENTITY_NAMES = ENTITIES.map((entity) => entity.name);

describe('entities match the schema', () => {
  let orm: MikroORM;
  let columnsByTable: Map<string, ColumnRow[]>;
  let primaryKeys: Map<string, string[]>;

  beforeAll(async () => {
    orm = await MikroORM.init({
      clientUrl: process.env.DATABASE_URL,
      entities: ENTITIES,
      allowGlobalContext: true,
      debug: false,
      pool: { min: 0, max: 2 },
    });
    const connection = orm.em.getConnection();

    columnsByTable = new Map();
    for (const column of await connection.execute<ColumnRow[]>(COLUMNS_SQL)) {
      const columns = columnsByTable.get(column.table_name) ?? [];
      columns.push(column);
      columnsByTable.set(column.table_name, columns);
    }

    primaryKeys = new Map();
    for (const key of await connection.execute<Array<{ table_name: string; column_name: string }>>(PRIMARY_KEYS_SQL)) {
      primaryKeys.set(key.table_name, [...(primaryKeys.get(key.table_name) ?? []), key.column_name]);
    }
  });

  afterAll(() => orm?.close(true));

  const metaOf = (name: string) => orm.getMetadata().get(name);
  const columnsOf = (name: string) => columnsByTable.get(metaOf(name).tableName) ?? [];

  it('lists 33 entities', () => {
    expect(ENTITY_NAMES).toHaveLength(33);
    expect(new Set(ENTITY_NAMES).size).toBe(33);
  });

  it('maps every table', () => {
    const mapped = new Set(ENTITY_NAMES.map((name) => metaOf(name).tableName));
    const unmapped = [...columnsByTable.keys()].filter((table) => !mapped.has(table));
    expect(unmapped).toEqual([]);
  });

  describe.each(ENTITY_NAMES)('%s', (name) => {
    it('table exists', () => {
      expect(columnsOf(name).length).toBeGreaterThan(0);
    });

    it('fields are columns', () => {
      const columns = new Set(columnsOf(name).map((column) => column.column_name));
      const missing = Object.keys(byField(metaOf(name), () => true)).filter((field) => !columns.has(field));
      expect(missing).toEqual([]);
    });

    it('columns are mapped', () => {
      const fields = byField(metaOf(name), () => true);
      const unmapped = columnsOf(name)
        .map((column) => column.column_name)
        .filter((column) => !fields[column]);
      expect(unmapped).toEqual([]);
    });

    it('nullability matches', () => {
      const meta = metaOf(name);
      const expected = byColumn(columnsOf(name), meta, (column) => column.is_nullable === 'YES');
      expect(byField(meta, (prop) => prop.nullable === true)).toEqual(expected);
    });

    it('column types match', () => {
      const meta = metaOf(name);
      expect(byField(meta, propertyType)).toEqual(byColumn(columnsOf(name), meta, columnType));
    });

    it('defaults match', () => {
      const meta = metaOf(name);
      const expected = byColumn(columnsOf(name), meta, columnDefault);
      expect(byField(meta, (prop) => prop.defaultRaw ?? null)).toEqual(expected);
    });

    it('generated columns match', () => {
      const meta = metaOf(name);
      const expected = byColumn(columnsOf(name), meta, (column) => column.generation_expression);
      // MikroORM keeps the STORED keyword in the expression, information_schema does not.
      const actual = byField(meta, (prop) =>
        typeof prop.generated === 'string' ? prop.generated.replace(/ stored$/i, '') : null,
      );
      expect(actual).toEqual(expected);
    });

    it('primary key matches', () => {
      const meta = metaOf(name);
      const fields = meta.getPrimaryProps().flatMap((prop) => prop.fieldNames);
      expect(fields).toEqual(primaryKeys.get(meta.tableName));
    });
  });
});

describe('entities under row-level security', () => {
  let admin: Pool;
  let app: MikroORM;
  let tenant: TestTenant;
  let companyId: string;

  beforeAll(async () => {
    admin = adminPool();
    tenant = await provisionTestTenant(admin, 'orm');
    const company = await admin.query<{ id: string }>(
      'SELECT id FROM customer_companies WHERE tenant_id = $1 AND external_id = $2',
      [tenant.tenantId, tenant.companies[0].key],
    );
    companyId = company.rows[0].id;
    app = await MikroORM.init({
      clientUrl: portalAppUrl(),
      entities: ENTITIES,
      debug: false,
      pool: { min: 0, max: 2 },
    });
  });

  afterAll(async () => {
    await app?.close(true);
    await admin?.end();
  });

  it('customer finds shared invoices only', async () => {
    const all = await admin.query<{ id: string; shared: boolean; total: string; balance: string; issued: string }>(
      `SELECT id, shared_at IS NOT NULL AS shared, total_minor::text AS total, balance_minor::text AS balance,
              issued_on::text AS issued
       FROM invoices WHERE tenant_id = $1 AND company_id = $2`,
      [tenant.tenantId, companyId],
    );
    // The fixture gives each company one shared and one unshared invoice.
    expect(all.rowCount).toBe(2);
    const shared = all.rows.find((row) => row.shared)!;
    expect(shared).toBeDefined();

    const { invoices, lines } = await app.em.fork().transactional(async (em) => {
      await em.execute(
        "select set_config('role', 'portal_customer', true), set_config('app.tenant_id', ?, true), set_config('app.company_id', ?, true)",
        [tenant.tenantId, companyId],
      );
      return {
        invoices: await em.find(Invoice, {}),
        lines: await em.find(InvoiceLine, {}),
      };
    });

    expect(invoices.map((invoice) => invoice.id)).toEqual([shared.id]);
    const [invoice] = invoices;
    expect(invoice.tenantId).toBe(tenant.tenantId);
    expect(invoice.companyId).toBe(companyId);
    expect(invoice.sharedAt).toBeInstanceOf(Date);
    expect(typeof invoice.totalMinor).toBe('string');
    expect(invoice.totalMinor).toBe(shared.total);
    expect(invoice.balanceMinor).toBe(shared.balance);
    expect(invoice.issuedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(invoice.issuedOn).toBe(shared.issued);

    expect(lines.map((line) => line.invoiceId)).toEqual([shared.id]);
    expect(lines[0].quantity).toBe('2.000');
  });

  it('staff insert leaves balance to PostgreSQL', async () => {
    const em = app.em.fork();
    await em.begin();
    try {
      await em.execute("select set_config('role', 'portal_staff', true), set_config('app.tenant_id', ?, true)", [
        tenant.tenantId,
      ]);
      const invoice = em.create(Invoice, {
        tenantId: tenant.tenantId,
        companyId,
        number: 'ORM-INV-1',
        issuedOn: '2026-01-15',
        dueOn: '2026-02-14',
        currency: 'USD',
        totalMinor: '9007199254740993',
        amountPaidMinor: '500',
      });
      const id = invoice.id;
      // The insert fails if MikroORM sends balance_minor, a GENERATED ALWAYS column.
      await em.flush();

      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(invoice.id).toBe(id);
      expect(invoice.tenantId).toBe(tenant.tenantId);
      expect(invoice.createdAt).toBeInstanceOf(Date);
      expect(invoice.status).toBe('open');
      expect(invoice.balanceMinor).toBe('9007199254740493');

      invoice.amountPaidMinor = '9007199254740993';
      await em.flush();
      expect(invoice.balanceMinor).toBe('0');

      const [row] = await em.execute<Array<{ balance: string; issued: string }>>(
        'select balance_minor::text as balance, issued_on::text as issued from invoices where tenant_id = ? and id = ?',
        [tenant.tenantId, invoice.id],
      );
      expect(row.balance).toBe('0');
      expect(row.issued).toBe('2026-01-15');
    } finally {
      await em.rollback();
    }
  });
});
