import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Injectable } from '@nestjs/common';

import { RequestScope } from '../../tenancy/src/request-scope';

export type DatabaseRole = 'portal_customer' | 'portal_staff' | 'portal_auth' | 'portal_resolver';

interface Settings {
  tenantId?: string;
  companyId?: string;
  userId?: string;
}

// One statement sets the role and every setting, transaction-local, so a
// pooled connection (or PgBouncer in transaction mode) carries nothing over.
const SET_CONTEXT = `SELECT set_config('role', ?, true), set_config('app.tenant_id', ?, true),
  set_config('app.company_id', ?, true), set_config('app.user_id', ?, true)`;

/**
 * Runs work in one transaction under a request role. The role and settings
 * come from the request scope, never from arguments a caller could mix up.
 */
@Injectable()
export class TenantDatabase {
  constructor(
    private readonly orm: MikroORM,
    private readonly scope: RequestScope,
  ) {}

  /** As the signed-in portal user: their tenant, company and shared rows only. */
  asCustomer<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    const principal = this.scope.principal();
    return this.run(
      'portal_customer',
      { tenantId: principal.tenantId, companyId: principal.companyId, userId: principal.userId },
      work,
    );
  }

  /** As a visitor who is not signed in: tenant-level rows such as branding, no company rows. */
  asVisitor<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run('portal_customer', { tenantId: this.scope.tenant().id }, work);
  }

  /** For credential checks of the current tenant's users. */
  asAuth<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run('portal_auth', { tenantId: this.scope.tenant().id }, work);
  }

  /** Before a tenant is known: hostname lookups only. */
  asResolver<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run('portal_resolver', {}, work);
  }

  /** For a tenant named explicitly, where no request scope exists (resolution, jobs). */
  asVisitorOf<T>(tenantId: string, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.run('portal_customer', { tenantId }, work);
  }

  private run<T>(role: DatabaseRole, settings: Settings, work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.orm.em.fork({ clear: true }).transactional(async (em) => {
      await em.execute(SET_CONTEXT, [role, settings.tenantId ?? '', settings.companyId ?? '', settings.userId ?? '']);
      return work(em);
    });
  }
}
