import { InvalidInputError } from '../../libs/observability/src/errors';
import { decodeCursor } from '../../libs/records/src/paging';
import { numberPlaceholders } from '../../libs/db/src/sql-executor';
import { beginStatement } from '../../libs/db/src/tenant-database';

describe('numberPlaceholders', () => {
  it('numbers placeholders in order', () => {
    expect(numberPlaceholders('SELECT * FROM t WHERE a = ? AND b < ?::date')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b < $2::date',
    );
  });

  it('leaves quoted question marks alone', () => {
    expect(numberPlaceholders(`SELECT '?', "odd?name" FROM t WHERE a = ?`)).toBe(`SELECT '?', "odd?name" FROM t WHERE a = $1`);
  });
});

describe('beginStatement', () => {
  const tenantId = '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';

  it('sets the role and every setting', () => {
    const statement = beginStatement('portal_customer', { tenantId });
    expect(statement).toContain("set_config('role', 'portal_customer', true)");
    expect(statement).toContain(`set_config('app.tenant_id', '${tenantId}', true)`);
    expect(statement).toContain("set_config('app.company_id', '', true)");
  });

  it('rejects a setting that is not a UUID', () => {
    expect(() => beginStatement('portal_customer', { tenantId: "x', true); DROP TABLE invoices; --" })).toThrow(
      /tenantId must be a UUID/,
    );
  });
});

describe('decodeCursor', () => {
  const id = '3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e';
  const cursor = (value: string) => Buffer.from(JSON.stringify([value, id])).toString('base64url');

  it.each(['0000-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '2026-01-01T24:00:00Z', '2026-13-01T00:00:00Z'])(
    'rejects impossible timestamp %s',
    (value) => {
      expect(() => decodeCursor(cursor(value), 'timestamp', 'after')).toThrow(InvalidInputError);
    },
  );

  it('accepts a real timestamp with microseconds', () => {
    expect(decodeCursor(cursor('2026-03-15T08:00:00.123456Z'), 'timestamp', 'after').sortValue).toBe(
      '2026-03-15T08:00:00.123456Z',
    );
  });
});
