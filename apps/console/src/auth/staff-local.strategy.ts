import { Injectable } from '@nestjs/common';
import { PassportSerializer, PassportStrategy } from '@nestjs/passport';
import type { Request } from 'express';
import { Strategy } from 'passport-local';

import { originOf } from '../../../../libs/activity/src/activity-log';
import { StaffPrincipal } from '../../../../libs/tenancy/src/tenant-context';
import { sessionLoginGuard } from '../../../../libs/web/src/session-login.guard';
import { StaffLoginService } from './staff-login.service';

export const STAFF_LOCAL = 'staff-local';

@Injectable()
export class StaffLocalStrategy extends PassportStrategy(Strategy, STAFF_LOCAL) {
  constructor(private readonly login: StaffLoginService) {
    super({ usernameField: 'email', passwordField: 'password', passReqToCallback: true });
  }

  /** Returns false on any failure so the login page shows its one generic message. */
  async validate(req: Request, email: string, password: string): Promise<StaffPrincipal | false> {
    const body = req.body as Record<string, unknown>;
    return (await this.login.verify(body.workspace, email, password, originOf(req))) ?? false;
  }
}

/** Stores the staff principal itself in the session; each request re-checks it in the database. */
@Injectable()
export class StaffSessionSerializer extends PassportSerializer {
  serializeUser(user: StaffPrincipal, done: (error: Error | null, payload: StaffPrincipal) => void): void {
    done(null, user);
  }

  deserializeUser(payload: StaffPrincipal, done: (error: Error | null, user: StaffPrincipal | false) => void): void {
    done(null, payload?.kind === 'staff' ? payload : false);
  }
}

/** Runs staff-local and logs in on success, which gives the visitor a new session id. */
export const StaffLoginGuard = sessionLoginGuard(STAFF_LOCAL);
