import { MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';
import type { PoolClient, QueryResult } from 'pg';

import { SessionRevokedError } from '../../observability/src/errors';

import { RequestScope } from '../../tenancy/src/request-scope';
import { executorFor, SqlExecutor } from './sql-executor';

export type DatabaseRole = 'portal_customer' | 'portal_staff' | 'portal_auth' | 'portal_resolver' | 'portal_app';

export interface ContextSettings {
  tenantId?: string;
  companyId?: string;
  userId?: string;
}

const STAFF_ROLES = new Set(['owner', 'admin', 'member']);

function staffRole(role: string): string {
  if (!STAFF_ROLES.has(role)) throw new Error(`role must be owner, admin or member, got ${JSON.stringify(role)}`);
  return role;
}

function sessionVersion(value: unknown): number {
  // Sessions opened before versions existed carry none and must sign in again.
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) return 0;
  return value;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function checkedUuid(value: string | undefined, name: string): string {
  if (value === undefined) return '';
  if (!UUID.test(value)) throw new Error(`${name} must be a UUID, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Builds the statement that opens a request transaction: BEGIN, then the
 * role and every setting, transaction-local, so a pooled connection (or
 * PgBouncer in transaction mode) carries nothing over. Values are written
 * inline so both statements travel in one round trip. The role comes from a
 * closed set, and every id must be a UUID.
 */
// NOTE: portal_app may switch to any request role, so these settings are the
// whole tenant boundary for a connection: they must only ever come from the
// session or the resolved host, never from request input.
export function beginStatement(role: DatabaseRole, settings: ContextSettings): string {
  const tenantId = checkedUuid(settings.tenantId, 'tenantId');
  const companyId = checkedUuid(settings.companyId, 'companyId');
  const userId = checkedUuid(settings.userId, 'userId');
  return `BEGIN; SELECT set_config('role', '${role}', true), set_config('app.tenant_id', '${tenantId}', true),
    set_config('app.company_id', '${companyId}', true), set_config('app.user_id', '${userId}', true)`;
}

/**
 * Runs work in one transaction under a request role. The role and settings
 * come from the request scope, never from arguments a caller could mix up.
 * Connections come from MikroORM's pool, so the ORM and these transactions
 * share one set of connections.
 */
@Injectable()
export class TenantDatabase {
  constructor(
    private readonly orm: MikroORM,
    private readonly scope: RequestScope,
  ) {}

  /**
   * As the signed-in portal user: their tenant, company and shared rows only.
   * The same round trip confirms that the user is still active, still in
   * that company and that no reset has ended the session since sign-in, so
   * disabling, moving or resetting a user takes effect at once.
   */
  asCustomer<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    const principal = this.scope.principal();
    const settings = { tenantId: principal.tenantId, companyId: principal.companyId, userId: principal.userId };
    const check = `SELECT 1 FROM portal_users WHERE id = '${settings.userId}' AND company_id = '${settings.companyId}'
      AND status = 'active' AND session_version = ${sessionVersion(principal.sessionVersion)}`;
    return this.run('portal_customer', settings, work, check);
  }

  /**
   * Runs a customer action and its consequences in one transaction: `work`
   * as the signed-in portal user (as asCustomer), then `followUp` as staff
   * of the same tenant with no company or user set. The follow-up writes
   * what the customer role may not, such as emails to staff, and must take
   * its facts from what `work` returned, never from request input. Both
   * commit or neither does.
   */
  asCustomerThenStaff<T, U>(
    work: (sql: SqlExecutor) => Promise<T>,
    followUp: (sql: SqlExecutor, result: T) => Promise<U>,
  ): Promise<{ result: T; followUp: U }> {
    return this.asCustomer(async (sql) => {
      const result = await work(sql);
      await sql.execute(
        "SELECT set_config('role', 'portal_staff', true), set_config('app.company_id', '', true), set_config('app.user_id', '', true)",
      );
      return { result, followUp: await followUp(sql, result) };
    });
  }

  /**
   * As the signed-in staff user: every row of their tenant. The opening round
   * trip also confirms that the user is still active with the same role.
   */
  asStaff<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    const staff = this.scope.staff();
    const settings = { tenantId: staff.tenantId, userId: staff.userId };
    const check = `SELECT 1 FROM staff_users WHERE id = '${settings.userId}' AND role = '${staffRole(staff.role)}'
      AND status = 'active' AND session_version = ${sessionVersion(staff.sessionVersion)}`;
    return this.run('portal_staff', settings, work, check);
  }

  /** As a visitor who is not signed in: tenant-level rows such as branding, no company rows. */
  asVisitor<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.run('portal_customer', { tenantId: this.scope.tenant().id }, work);
  }

  /** For credential checks of the current tenant's users. */
  asAuth<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.run('portal_auth', { tenantId: this.scope.tenant().id }, work);
  }

  /** Before a tenant is known: hostname lookups only. */
  asResolver<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.run('portal_resolver', {}, work);
  }

  /**
   * As staff of the tenant of the request's API key: every row of that
   * tenant. The opening round trip also confirms that the key is not
   * revoked, so a revocation takes effect on the next request.
   */
  asApiKey<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    const apiKey = this.scope.apiKey();
    const keyId = checkedUuid(apiKey.keyId, 'keyId');
    const check = `SELECT 1 FROM api_keys WHERE id = '${keyId}' AND revoked_at IS NULL`;
    return this.run('portal_staff', { tenantId: apiKey.tenantId }, work, check);
  }

  /**
   * As the login role itself, before any tenant is known: its only privilege
   * is EXECUTE on api_key_credentials(), the lookup of an API key by its
   * public id.
   */
  asApiKeyLookup<T>(work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.run('portal_app', {}, work);
  }

  /** As staff of a tenant named by a job; the worker has checked the job's ids, not a session. */
  asWorkerFor<T>(tenantId: string, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.run('portal_staff', { tenantId }, work);
  }

  /**
   * As any portal user of a company would read it, for a job that renders
   * what that company's customers see: shared records and their detail rows
   * only. No user is signed in, so no per-user check runs.
   */
  asCompanyViewerFor<T>(tenantId: string, companyId: string, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.run('portal_customer', { tenantId, companyId }, work);
  }

  /** For a tenant named explicitly, where no request scope exists (resolution, jobs). */
  asVisitorOf<T>(tenantId: string, work: (sql: SqlExecutor) => Promise<T>): Promise<T> {
    return this.run('portal_customer', { tenantId }, work);
  }

  private async run<T>(
    role: DatabaseRole,
    settings: ContextSettings,
    work: (sql: SqlExecutor) => Promise<T>,
    check?: string,
  ): Promise<T> {
    const client = (await this.knexClient().acquireConnection()) as PoolClient;
    try {
      const opened = await client.query(check ? `${beginStatement(role, settings)}; ${check}` : beginStatement(role, settings));
      if (check && (opened as unknown as QueryResult[])[2].rowCount === 0) throw new SessionRevokedError();
      const result = await work(executorFor(client));
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      await this.knexClient().releaseConnection(client);
    }
  }

  private knexClient(): { acquireConnection(): Promise<unknown>; releaseConnection(connection: unknown): Promise<void> } {
    return this.orm.em.getConnection().getKnex().client;
  }
}
