import { ActivityEntry, recordActivity, RequestOrigin } from '../../activity/src/activity-log';
import type { SqlExecutor } from '../../db/src/sql-executor';
import { recordEmails } from '../../queue/src/email-outbox';
import { issueAccessLink, LinkHolder, LinkPurpose } from './access-links';

/** The staff user making the request, and how long the links they send stay valid. */
export interface AccessRequester {
  staffUserId: string;
  ttlMinutes: number;
  origin?: RequestOrigin;
}

export type InviteOutcome =
  | { outcome: 'invited'; userId: string; deliveryId: string }
  | { outcome: 'exists'; userId: string; status: string }
  | { outcome: 'no_company' };

export interface PortalInvitation {
  email: string;
  companyId: string;
  name?: string | null;
}

async function sendLink(
  db: SqlExecutor,
  holder: LinkHolder,
  recipient: string,
  purpose: LinkPurpose,
  requester: AccessRequester,
  activity: Omit<ActivityEntry, 'actorType' | 'actorId'>,
): Promise<string> {
  const tokenId = await issueAccessLink(db, holder, purpose, requester.ttlMinutes, requester.staffUserId);
  const [deliveryId] = await recordEmails(db, [
    { kind: purpose, recipient, requestedBy: requester.staffUserId, accessTokenId: tokenId },
  ]);
  await recordActivity(db, { ...activity, actorType: 'staff', actorId: requester.staffUserId }, requester.origin);
  return deliveryId;
}

/**
 * Creates an invited portal user in a company and records the invitation
 * email, in the caller's transaction. An email that already has an account
 * in this tenant is left alone and reported, whatever company it is in.
 */
export async function invitePortalUser(
  db: SqlExecutor,
  invitation: PortalInvitation,
  requester: AccessRequester,
): Promise<InviteOutcome> {
  const email = invitation.email.trim().toLowerCase();
  const created: Array<{ id: string }> = await db.execute(
    `INSERT INTO portal_users (tenant_id, company_id, email, name, status, invited_at)
     SELECT c.tenant_id, c.id, ?, ?, 'invited', now() FROM customer_companies c WHERE c.id = ?
     ON CONFLICT (tenant_id, email) DO NOTHING RETURNING id`,
    [email, invitation.name?.trim() || null, invitation.companyId],
  );
  if (created.length === 0) {
    const existing: Array<{ id: string; status: string }> = await db.execute(
      'SELECT id, status FROM portal_users WHERE email = ?',
      [email],
    );
    if (existing.length === 0) return { outcome: 'no_company' };
    return { outcome: 'exists', userId: existing[0].id, status: existing[0].status };
  }

  const userId = created[0].id;
  const deliveryId = await sendLink(db, { portalUserId: userId }, email, 'invitation', requester, {
    action: 'user.invited',
    companyId: invitation.companyId,
    subjectType: 'portal_user',
    subjectId: userId,
    details: { email },
  });
  return { outcome: 'invited', userId, deliveryId };
}

export type LinkOutcome = { outcome: 'sent'; deliveryId: string } | { outcome: 'refused'; reason: string } | { outcome: 'missing' };

/** Sends a fresh invitation to a portal user who has not set a password yet; older links stop working. */
export async function resendPortalInvitation(db: SqlExecutor, userId: string, requester: AccessRequester): Promise<LinkOutcome> {
  const rows: Array<{ email: string; status: string; company_id: string }> = await db.execute(
    `UPDATE portal_users SET invited_at = now(), updated_at = now() WHERE id = ? AND status = 'invited'
     RETURNING email, status, company_id`,
    [userId],
  );
  if (rows.length === 0) return refusal(db, 'portal_users', userId, 'Only a user who has not accepted the invitation can get it again.');
  const deliveryId = await sendLink(db, { portalUserId: userId }, rows[0].email, 'invitation', requester, {
    action: 'user.invitation_resent',
    companyId: rows[0].company_id,
    subjectType: 'portal_user',
    subjectId: userId,
    details: { email: rows[0].email },
  });
  return { outcome: 'sent', deliveryId };
}

/**
 * Ends every session of the user at once, clears the password, voids every
 * open link and sends a new set-password link. A disabled user is refused:
 * enabling comes first.
 */
export async function resetPortalAccess(db: SqlExecutor, userId: string, requester: AccessRequester): Promise<LinkOutcome> {
  const rows: Array<{ email: string; status: string; company_id: string }> = await db.execute(
    `UPDATE portal_users SET session_version = session_version + 1, password_hash = NULL, updated_at = now()
     WHERE id = ? AND status <> 'disabled' RETURNING email, status, company_id`,
    [userId],
  );
  if (rows.length === 0) return refusal(db, 'portal_users', userId, 'A disabled user must be enabled before their access is reset.');
  const purpose = rows[0].status === 'invited' ? 'invitation' : 'password_reset';
  const deliveryId = await sendLink(db, { portalUserId: userId }, rows[0].email, purpose, requester, {
    action: 'user.access_reset',
    companyId: rows[0].company_id,
    subjectType: 'portal_user',
    subjectId: userId,
    details: { email: rows[0].email },
  });
  return { outcome: 'sent', deliveryId };
}

export type StaffRoleName = 'owner' | 'admin' | 'member';

/** Creates an invited staff user with a role and records the invitation, in the caller's transaction. */
export async function inviteStaffUser(
  db: SqlExecutor,
  invitation: { email: string; name: string; role: StaffRoleName },
  requester: AccessRequester,
): Promise<InviteOutcome> {
  const email = invitation.email.trim().toLowerCase();
  const created: Array<{ id: string }> = await db.execute(
    `INSERT INTO staff_users (tenant_id, email, name, role, status)
     VALUES ((SELECT app_current_tenant_id()), ?, ?, ?, 'invited')
     ON CONFLICT (tenant_id, email) DO NOTHING RETURNING id`,
    [email, invitation.name.trim(), invitation.role],
  );
  if (created.length === 0) {
    const existing: Array<{ id: string; status: string }> = await db.execute('SELECT id, status FROM staff_users WHERE email = ?', [email]);
    return { outcome: 'exists', userId: existing[0].id, status: existing[0].status };
  }
  const userId = created[0].id;
  const deliveryId = await sendLink(db, { staffUserId: userId }, email, 'invitation', requester, {
    action: 'staff.invited',
    subjectType: 'staff_user',
    subjectId: userId,
    details: { email, role: invitation.role },
  });
  return { outcome: 'invited', userId, deliveryId };
}

/** Resets a staff user's access like resetPortalAccess; for an invited staff user it resends the invitation. */
export async function resetStaffAccess(db: SqlExecutor, userId: string, requester: AccessRequester): Promise<LinkOutcome> {
  const rows: Array<{ email: string; status: string }> = await db.execute(
    `UPDATE staff_users SET session_version = session_version + 1, password_hash = NULL, updated_at = now()
     WHERE id = ? AND status <> 'disabled' RETURNING email, status`,
    [userId],
  );
  if (rows.length === 0) return refusal(db, 'staff_users', userId, 'A disabled user must be enabled before their access is reset.');
  const purpose = rows[0].status === 'invited' ? 'invitation' : 'password_reset';
  const deliveryId = await sendLink(db, { staffUserId: userId }, rows[0].email, purpose, requester, {
    action: 'staff.access_reset',
    subjectType: 'staff_user',
    subjectId: userId,
    details: { email: rows[0].email },
  });
  return { outcome: 'sent', deliveryId };
}

async function refusal(db: SqlExecutor, table: string, userId: string, reason: string): Promise<LinkOutcome> {
  const rows: unknown[] = await db.execute(`SELECT 1 FROM ${table} WHERE id = ?`, [userId]);
  return rows.length === 0 ? { outcome: 'missing' } : { outcome: 'refused', reason };
}
