import { Injectable } from '@nestjs/common';
import { PassportSerializer, PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { PortalPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { LoginService } from './login.service';

export const PORTAL_LOCAL = 'portal-local';

@Injectable()
export class PortalLocalStrategy extends PassportStrategy(Strategy, PORTAL_LOCAL) {
  constructor(private readonly login: LoginService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  /** Returns false on any failure so the login page shows its one generic message. */
  async validate(req: Request, email: string, password: string): Promise<PortalPrincipal | false> {
    return (await this.login.verify(email, password, originOf(req))) ?? false;
  }
}

/** Stores the principal itself in the session: it is small and needs no lookup per request. */
@Injectable()
export class PortalSessionSerializer extends PassportSerializer {
  serializeUser(user: PortalPrincipal, done: (error: Error | null, payload: PortalPrincipal) => void): void {
    done(null, {
      kind: 'portal',
      tenantId: user.tenantId,
      companyId: user.companyId,
      userId: user.userId,
      sessionVersion: user.sessionVersion,
    });
  }

  deserializeUser(payload: PortalPrincipal, done: (error: Error | null, user: PortalPrincipal | false) => void): void {
    done(null, payload?.kind === 'portal' ? payload : false);
  }
}
