import { Injectable } from '@nestjs/common';
import { ClsService, ClsStore } from 'nestjs-cls';

import { ApiKeyPrincipal, PortalPrincipal, StaffPrincipal, TenantContext } from './tenant-context';

export interface RequestStore extends ClsStore {
  requestId?: string;
  tenant?: TenantContext;
  principal?: PortalPrincipal;
  staff?: StaffPrincipal;
  apiKey?: ApiKeyPrincipal;
}

/** Raised when code that needs a tenant runs outside a tenant's request. */
export class MissingContextError extends Error {
  constructor(what: string) {
    super(`No ${what} in the current context; this code must run inside a tenant request`);
    this.name = 'MissingContextError';
  }
}

/**
 * The request's tenant and user, carried through AsyncLocalStorage. Getters
 * throw when the value is missing, so no query runs without a tenant.
 */
@Injectable()
export class RequestScope {
  constructor(private readonly cls: ClsService<RequestStore>) {}

  tenant(): TenantContext {
    const tenant = this.cls.isActive() ? this.cls.get('tenant') : undefined;
    if (!tenant) throw new MissingContextError('tenant');
    return tenant;
  }

  principal(): PortalPrincipal {
    const principal = this.cls.isActive() ? this.cls.get('principal') : undefined;
    if (!principal) throw new MissingContextError('signed-in portal user');
    if (principal.tenantId !== this.tenant().id) throw new MissingContextError('portal user of this tenant');
    return principal;
  }

  setTenant(tenant: TenantContext): void {
    this.cls.set('tenant', tenant);
  }

  setPrincipal(principal: PortalPrincipal | undefined): void {
    this.cls.set('principal', principal);
  }

  staff(): StaffPrincipal {
    const staff = this.cls.isActive() ? this.cls.get('staff') : undefined;
    if (!staff) throw new MissingContextError('signed-in staff user');
    if (staff.tenantId !== this.tenant().id) throw new MissingContextError('staff user of this tenant');
    return staff;
  }

  setStaff(staff: StaffPrincipal | undefined): void {
    this.cls.set('staff', staff);
  }

  apiKey(): ApiKeyPrincipal {
    const apiKey = this.cls.isActive() ? this.cls.get('apiKey') : undefined;
    if (!apiKey) throw new MissingContextError('API key');
    if (apiKey.tenantId !== this.tenant().id) throw new MissingContextError('API key of this tenant');
    return apiKey;
  }

  setApiKey(apiKey: ApiKeyPrincipal): void {
    this.cls.set('apiKey', apiKey);
  }

}
