import { sessionLoginGuard } from '../../../../libs/web/src/session-login.guard';
import { PORTAL_LOCAL } from './local.strategy';

/** Runs passport-local for portal users and logs in on success. */
export const LoginGuard = sessionLoginGuard(PORTAL_LOCAL);
